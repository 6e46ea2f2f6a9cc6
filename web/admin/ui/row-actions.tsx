/** A list row's Edit and Delete buttons, named after the row for screen readers. */
export function RowActions(props: { name: string; onEdit(): void; onDelete(): void }) {
  return (
    <td class="row-actions">
      <button type="button" class="secondary" aria-label={`Edit ${props.name}`} onClick={props.onEdit}>Edit</button>
      <button type="button" class="danger" aria-label={`Delete ${props.name}`} onClick={props.onDelete}>Delete</button>
    </td>
  );
}
