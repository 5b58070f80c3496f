const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** A section id made safe for an `id` attribute and a `#fragment` (letters, digits, `_` and `-`). */
export function anchorId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-');
}
