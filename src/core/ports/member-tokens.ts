/** A store's member-token secrets: the current one, and the one before the last rotation while it still verifies. */
export interface MemberTokenSecrets {
  secret: string;
  previous: string | null;
  previousUntil: Date | null;
  rotatedAt: Date;
}

export interface MemberTokenRepository {
  get(storeId: string): Promise<MemberTokenSecrets | null>;
  /** The store's secrets, locked for this transaction (a rotation, or the first secret). */
  lock(storeId: string): Promise<MemberTokenSecrets | null>;
  save(storeId: string, secrets: MemberTokenSecrets): Promise<void>;
}
