/**
 * scheduled-tasks.md: the list of a workspace's scheduled tasks (Cowork scheduled tasks, cron jobs, routines run
 * with Claude). Two Markdown forms are read; anything else in the file (a title, prose) is ignored.
 *
 * 1. A table whose header has a name column (`name`, `task`), a schedule column (`schedule`, `when`, `frequency`,
 *    `cron`) and an owner column (`owner`); other columns are kept as extra fields.
 *
 *        | Name           | Schedule      | Owner             |
 *        | -------------- | ------------- | ----------------- |
 *        | Weekly digest  | Mon 09:00     | ana@example.com   |
 *
 * 2. A heading per task (`##`…`######`, the heading text is the name) followed by `- key: value` list items
 *    (`- schedule: daily 07:00`, `- owner: IT`; `**bold**` keys are fine).
 *
 * A workspace with no tasks says so: a line `none` / `No scheduled tasks` (any case, optional final period).
 * Each task needs a name, a schedule and an owner; a file with neither tasks nor the `none` line is not parseable.
 */
export interface ScheduledTask {
  name: string;
  schedule: string;
  owner: string;
  line: number;
  extra: Record<string, string>;
}

export interface TaskProblem {
  line: number;
  message: string;
}

export interface ParsedTasks {
  tasks: ScheduledTask[];
  problems: TaskProblem[];
  /** The file states explicitly that there are no tasks. */
  declaredNone: boolean;
}

const NAME_KEYS = ['name', 'task', 'task name'];
const SCHEDULE_KEYS = ['schedule', 'when', 'frequency', 'cron'];
const OWNER_KEYS = ['owner'];
const NONE_LINE = /^(?:none|no scheduled tasks|there are no scheduled tasks)\.?$/i;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const KEY_ITEM = /^[-*+]\s+(?:\*\*|__)?([A-Za-z][\w -]*?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$/;

export function parseScheduledTasks(text: string): ParsedTasks {
  const lines = text.split(/\r?\n/);
  const tasks: ScheduledTask[] = [];
  const problems: TaskProblem[] = [];
  let declaredNone = false;
  let section: {
    level: number;
    task: Partial<ScheduledTask> & { line: number; extra: Record<string, string> };
  } | null = null;
  let fence = false;

  const closeSection = (): void => {
    if (section && (section.task.schedule !== undefined || section.task.owner !== undefined)) {
      finishTask(section.task, tasks, problems);
    }
    section = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (/^(```|~~~)/.test(line)) fence = !fence;
    if (fence || line === '') continue;
    if (NONE_LINE.test(line)) {
      declaredNone = true;
      continue;
    }
    if (line.startsWith('|') && isTableHeader(line, lines[i + 1])) {
      closeSection();
      i = readTable(lines, i, tasks, problems) - 1;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      closeSection();
      section = { level: (heading[1] ?? '#').length, task: { name: plain(heading[2] ?? ''), line: i + 1, extra: {} } };
      continue;
    }
    const item = section ? KEY_ITEM.exec(line) : null;
    if (section && item) assign(section.task, item[1] ?? '', plain(item[2] ?? ''));
  }
  closeSection();
  if (tasks.length === 0 && problems.length === 0 && !declaredNone) {
    problems.push({
      line: 1,
      message:
        'no scheduled tasks found: write a table with Name, Schedule and Owner columns, a heading per task with ' +
        '`- schedule:` and `- owner:` items, or a line `None` when the workspace has no scheduled tasks',
    });
  }
  return { tasks, problems, declaredNone };
}

function isTableHeader(line: string, next: string | undefined): boolean {
  if (next === undefined || !/^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/.test(next.trim())) return false;
  const cols = cells(line).map((c) => c.toLowerCase());
  return cols.some((c) => NAME_KEYS.includes(c)) && cols.some((c) => SCHEDULE_KEYS.includes(c));
}

/** Reads a table starting at its header; returns the index of the first line after it. */
function readTable(lines: string[], start: number, tasks: ScheduledTask[], problems: TaskProblem[]): number {
  const header = cells(lines[start] ?? '').map((c) => c.toLowerCase());
  if (!header.some((c) => OWNER_KEYS.includes(c))) {
    problems.push({ line: start + 1, message: 'the task table has no Owner column' });
  }
  let i = start + 2;
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const task: Partial<ScheduledTask> & { line: number; extra: Record<string, string> } = { line: i + 1, extra: {} };
    header.forEach((key, c) => assign(task, key, plain(row[c] ?? '')));
    finishTask(task, tasks, problems);
  }
  return i;
}

function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function assign(task: Partial<ScheduledTask> & { extra: Record<string, string> }, key: string, value: string): void {
  const k = key.trim().toLowerCase();
  if (NAME_KEYS.includes(k)) task.name = value;
  else if (SCHEDULE_KEYS.includes(k)) task.schedule = value;
  else if (OWNER_KEYS.includes(k)) task.owner = value;
  else if (k !== '') task.extra[k] = value;
}

function finishTask(
  task: Partial<ScheduledTask> & { line: number; extra: Record<string, string> },
  tasks: ScheduledTask[],
  problems: TaskProblem[],
): void {
  const { name, schedule, owner } = task;
  if (!name || !schedule || !owner) {
    const missing = (['name', 'schedule', 'owner'] as const).filter((k) => !task[k]);
    const label = task.name ? `task '${task.name}'` : 'a task';
    problems.push({ line: task.line, message: `${label} has no ${missing.join(', ')}` });
    return;
  }
  tasks.push({ name, schedule, owner, line: task.line, extra: task.extra });
}

/** Markdown emphasis and code ticks off: `**Weekly digest**` → `Weekly digest`. */
function plain(value: string): string {
  return value
    .replace(/^(\*\*|__|`)(.*)\1$/, '$2')
    .replace(/^(\*|_)(.*)\1$/, '$2')
    .trim();
}

/** A workspace as the inventory declares it (the `--inventory` JSON or the store's workspace inventory). */
export interface InventoryWorkspace {
  name: string;
  folders: string[];
  scheduledTasks: { name: string; schedule?: string | null; owner?: string | null }[];
}

export interface TaskMismatch {
  level: 'error' | 'warning';
  line: number;
  message: string;
}

/** Compares the file's tasks with the inventory's, by name (case and spacing ignored). */
export function compareTasks(file: ParsedTasks, workspace: InventoryWorkspace): TaskMismatch[] {
  const key = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, ' ');
  const declared = new Map(workspace.scheduledTasks.map((t) => [key(t.name), t]));
  const listed = new Map(file.tasks.map((t) => [key(t.name), t]));
  const out: TaskMismatch[] = [];
  for (const [k, t] of declared) {
    if (!listed.has(k)) {
      out.push({
        level: 'error',
        line: 1,
        message: `the inventory lists scheduled task '${t.name}' for workspace '${workspace.name}'; scheduled-tasks.md does not`,
      });
    }
  }
  for (const [k, t] of listed) {
    const inv = declared.get(k);
    if (!inv) {
      out.push({
        level: 'error',
        line: t.line,
        message: `scheduled task '${t.name}' is not in the inventory of workspace '${workspace.name}'`,
      });
      continue;
    }
    for (const field of ['schedule', 'owner'] as const) {
      const want = inv[field];
      if (want && key(want) !== key(t[field])) {
        out.push({
          level: 'warning',
          line: t.line,
          message: `scheduled task '${t.name}': ${field} '${t[field]}' differs from the inventory's '${want}'`,
        });
      }
    }
  }
  return out;
}
