// The one table the bench prints.
export interface Row {
  measure: string;
  ferry: string;
  baseline: string;
  /** Ferry ÷ baseline, where one is meaningful. */
  ratio?: number;
  goal?: string;
  met?: boolean;
}

export function printTable(rows: Row[], machine: { cpus: number; cpu?: string; memoryGiB: number; node: string }, faultUploadsIntact: boolean): void {
  console.log(`\nFerry benchmark on ${machine.cpus} × ${machine.cpu ?? 'unknown CPU'}, ${machine.memoryGiB} GiB, Node ${machine.node}; loopback, headless Chromium`);
  console.table(Object.fromEntries(rows.map((row) => [row.measure, {
    Ferry: row.ferry,
    baseline: row.baseline,
    ratio: row.ratio === undefined ? '' : row.ratio.toFixed(2),
    goal: row.goal ?? '',
    met: row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  }])));
  console.log(`Uploads under faults stored byte for byte (SHA-256): ${faultUploadsIntact ? 'yes' : 'NO'}`);
}
