// Which call-table columns fit the table's width. Numbers are what operators identify callers
// by, so the caller and callee columns always keep the width of a whole number; the other
// columns give way one by one as the table narrows. The provider badge is narrow and always
// shown: with the account column gone, it is what tells calls of different providers apart.

/** What gives way, least useful first: the steps are cumulative. */
export const STEPS = ["cost", "account", "dirText", "talk", "outcomeText"] as const;
export type Step = (typeof STEPS)[number];

/** Column widths in px (the number columns' width is measured from the shown numbers). */
export const WIDTH = {
  time: 116,
  dir: 112,
  /** The direction as its arrow alone. */
  dirIcon: 34,
  outcome: 138,
  /** The outcome as its coloured dot alone. */
  outcomeIcon: 30,
  talk: 88,
  cost: 90,
  account: 110,
  /** The provider's badge: `SpRecord`, the widest, is 72 px in 11 px DejaVu Sans bold, plus the cell's 12. */
  provider: 86,
  rec: 30,
} as const;

/** How much wider than a number its column may grow while the account column is shown. */
const NUMBER_SPARE = 48;

export interface ColumnPlan {
  /** Steps taken: what is hidden (cost, account, talk) or shown as an icon (dirText, outcomeText). */
  dropped: ReadonlySet<Step>;
  /** `grid-template-columns` for every row. */
  template: string;
  /** The smallest width the columns need (the table scrolls sideways below it). */
  minWidth: number;
}

function plan(numWidth: number, steps: number): ColumnPlan {
  const dropped = new Set<Step>(STEPS.slice(0, steps));
  const cols: [string, number][] = [
    [`${WIDTH.time}px`, WIDTH.time],
    dropped.has("dirText") ? [`${WIDTH.dirIcon}px`, WIDTH.dirIcon] : [`${WIDTH.dir}px`, WIDTH.dir],
    dropped.has("outcomeText")
      ? [`${WIDTH.outcomeIcon}px`, WIDTH.outcomeIcon]
      : [`${WIDTH.outcome}px`, WIDTH.outcome],
  ];
  // Spare width goes to the account name; the numbers take a little of it so that caller
  // and callee stay apart, but not so much that they drift apart on a wide window. With no
  // account column, the numbers take it all.
  const num = `minmax(${numWidth}px, ${dropped.has("account") ? "1fr" : `${numWidth + NUMBER_SPARE}px`})`;
  cols.push([num, numWidth], [num, numWidth]);
  if (!dropped.has("talk")) cols.push([`${WIDTH.talk}px`, WIDTH.talk]);
  if (!dropped.has("cost")) cols.push([`${WIDTH.cost}px`, WIDTH.cost]);
  cols.push([`${WIDTH.provider}px`, WIDTH.provider]);
  if (!dropped.has("account")) cols.push([`minmax(${WIDTH.account}px, 1fr)`, WIDTH.account]);
  cols.push([`${WIDTH.rec}px`, WIDTH.rec]);
  return {
    dropped,
    template: cols.map((c) => c[0]).join(" "),
    minWidth: cols.reduce((sum, c) => sum + c[1], 0),
  };
}

/**
 * The fullest set of columns that fits `available` px with number columns `numWidth` px wide;
 * when even the fewest do not fit, the fewest (the table then scrolls sideways rather than
 * cutting a number).
 */
export function planColumns(available: number, numWidth: number): ColumnPlan {
  let p = plan(numWidth, 0);
  for (let steps = 1; steps <= STEPS.length && p.minWidth > available; steps++) p = plan(numWidth, steps);
  return p;
}
