/**
 * What a compiler tells the administrator about a policy it compiled: which rules became which settings and which
 * stay with the hooks (or another enforcement point), and why. `steward policy compile` prints them on stderr.
 */
export interface CompileNote {
  /** The policy rule the note is about, or null for the file as a whole. */
  rule: string | null;
  text: string;
}

export function formatNote(note: CompileNote): string {
  return note.rule === null ? note.text : `rule "${note.rule}": ${note.text}`;
}
