import { Info, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from "luxon";

/**
 * IANA zones whose UTC offsets are remembered. luxon asks a zone for its offset two or three
 * times for every date it builds, and each answer is an Intl `formatToParts` (most of the time
 * expiry dates and calendar arithmetic took). Only those answers are cached: luxon's arithmetic
 * is its own, as the wrapper says it is the IANA zone it wraps (same type, name and equality).
 *
 * Offsets are kept per 6-hour bucket of UTC time, and a bucket is kept only when the offsets at
 * its first and last millisecond agree. An offset is a step function of time that changes only
 * at the zone's transitions, and no zone in tzdata has two changes of offset within 95 hours of
 * each other (the closest: Africa/Freetown in 1939), so a bucket whose ends agree holds no
 * transition and every instant in it has that offset; a bucket with a transition is never kept
 * and is asked afresh each time. (Smaller buckets missed more: expiry dates months ahead fall on
 * buckets nothing asked for yet, and each miss is two Intl calls.)
 */

const BUCKET_MS = 6 * 3_600_000;
/** Per zone; about a hundred years of buckets. Emptied when full: a cache, never an answer of its own. */
const MAX_BUCKETS = 150_000;
/** Distinct zone names remembered (store zones are few; anything else is only slower). */
const MAX_ZONES = 1_000;

class CachedOffsetZone extends Zone {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly zone: Zone) {
    super();
  }

  override get type(): string {
    return this.zone.type;
  }

  override get name(): string {
    return this.zone.name;
  }

  override get isUniversal(): boolean {
    return this.zone.isUniversal;
  }

  override get isValid(): boolean {
    return this.zone.isValid;
  }

  override offsetName(ts: number, opts: ZoneOffsetOptions): string | null {
    return this.zone.offsetName(ts, opts);
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.zone.formatOffset(ts, format);
  }

  override equals(other: Zone): boolean {
    return this.zone.equals(other);
  }

  override offset(ts: number): number {
    if (!Number.isFinite(ts)) return this.zone.offset(ts);
    const bucket = Math.floor(ts / BUCKET_MS);
    const known = this.buckets.get(bucket);
    if (known !== undefined) return known;
    const start = bucket * BUCKET_MS;
    const first = this.zone.offset(start);
    const last = this.zone.offset(start + BUCKET_MS - 1);
    if (first !== last) return this.zone.offset(ts); // a transition inside: no shortcut
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
    this.buckets.set(bucket, first);
    return first;
  }
}

const zones = new Map<string, Zone | string>();

/**
 * What to hand luxon as `{ zone }` for a zone name: a caching wrapper for a valid IANA zone, the
 * name itself for anything else (UTC, fixed offsets and invalid names keep luxon's own handling).
 */
export function cachedZone(name: string): Zone | string {
  let zone = zones.get(name);
  if (zone === undefined) {
    const normalized = Info.normalizeZone(name);
    zone = normalized.type === "iana" && normalized.isValid ? new CachedOffsetZone(normalized) : name;
    if (zones.size >= MAX_ZONES) zones.clear();
    zones.set(name, zone);
  }
  return zone;
}
