// The bench's picture: MB/s against link rate for Ferry, one XHR and tus-js-client (left), and
// CPU seconds per GiB on loopback, split by process (right). Plain SVG, no dependency.

export interface ChartInput {
  /** Link rate in MB/s → measured MB/s of each. */
  links: Array<{ rate: number; ferry: number; xhr: number; tus: number }>;
  /** CPU seconds per GiB by process kind, for each upload. */
  cpu: Record<'ferry' | 'xhr' | 'tus', Record<string, number>>;
  caption: string;
}

const COLOURS = { ferry: '#1f5fcf', xhr: '#6b7280', tus: '#c2410c' } as const;
const NAMES = { ferry: 'Ferry', xhr: 'one XHR', tus: 'tus-js-client' } as const;
/** Process kinds drawn as their own segment; the rest of Chromium is "other". */
const PARTS: Array<[part: string, colour: string]> = [['renderer', '#1f5fcf'], ['browser', '#7fb0ff'], ['network', '#15703c'], ['storage', '#845400'], ['other', '#a3a3a3'], ['server', '#b42323']];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x: number, y: number, content: string, extra = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${escape(content)}</text>`;

function partOf(kind: string): string {
  if (kind === 'server' || PARTS.some(([part]) => part === kind)) return kind;
  return 'other';
}

export function chartSvg(input: ChartInput): string {
  const width = 960;
  const height = 420;
  const out: string[] = [];
  // Left: MB/s against the link's rate, with the link itself as the dashed ceiling.
  const left = { x: 70, y: 50, w: 400, h: 290 };
  const maxRate = Math.max(...input.links.map((link) => link.rate), 1);
  const top = Math.ceil((maxRate * 1.1) / 20) * 20;
  const px = (rate: number) => left.x + (rate / maxRate) * left.w;
  const py = (mbps: number) => left.y + left.h - (mbps / top) * left.h;
  out.push(text(left.x, 30, 'Throughput through a link (MB/s)', 'class="title"'));
  for (let tick = 0; tick <= top; tick += top / 5) {
    out.push(`<line x1="${left.x}" x2="${left.x + left.w}" y1="${py(tick)}" y2="${py(tick)}" class="grid"/>`, text(left.x - 8, py(tick) + 4, tick.toFixed(0), 'text-anchor="end"'));
  }
  for (const link of input.links) out.push(text(px(link.rate), left.y + left.h + 18, `${link.rate}`, 'text-anchor="middle"'));
  out.push(text(left.x + left.w / 2, left.y + left.h + 38, 'link rate (MB/s)', 'text-anchor="middle"'));
  out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(maxRate)}" y2="${py(maxRate)}" class="ceiling"/>`, text(px(maxRate) - 4, py(maxRate) - 8, 'the link', 'text-anchor="end" class="note"'));
  for (const who of ['xhr', 'tus', 'ferry'] as const) {
    const points = input.links.map((link) => `${px(link.rate).toFixed(1)},${py(link[who]).toFixed(1)}`);
    out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLOURS[who]}" stroke-width="2.5"/>`);
    for (const link of input.links) out.push(`<circle cx="${px(link.rate).toFixed(1)}" cy="${py(link[who]).toFixed(1)}" r="4" fill="${COLOURS[who]}"><title>${NAMES[who]} at ${link.rate} MB/s: ${link[who].toFixed(1)} MB/s</title></circle>`);
  }
  (['ferry', 'xhr', 'tus'] as const).forEach((who, i) => {
    out.push(`<rect x="${left.x + 10}" y="${left.y + 8 + i * 20}" width="14" height="4" fill="${COLOURS[who]}"/>`, text(left.x + 30, left.y + 14 + i * 20, NAMES[who]));
  });

  // Right: stacked CPU seconds per GiB.
  const right = { x: 600, y: 50, w: 320, h: 290 };
  const whos = ['ferry', 'xhr', 'tus'] as const;
  const totals = whos.map((who) => Object.values(input.cpu[who]).reduce((sum, seconds) => sum + seconds, 0));
  const maxCpu = Math.max(...totals, 0.1) * 1.1;
  const barH = 44;
  out.push(text(right.x - 90, 30, 'CPU per GiB on loopback (s)', 'class="title"'));
  whos.forEach((who, i) => {
    const y = right.y + 30 + i * (barH + 36);
    out.push(text(right.x - 8, y + barH / 2 + 4, NAMES[who], 'text-anchor="end"'));
    let x = right.x;
    for (const [part, colour] of PARTS) {
      const seconds = Object.entries(input.cpu[who]).filter(([kind]) => partOf(kind) === part).reduce((sum, [, value]) => sum + value, 0);
      if (seconds <= 0) continue;
      const w = (seconds / maxCpu) * right.w;
      out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colour}"><title>${NAMES[who]}, ${part}: ${seconds.toFixed(2)} s/GiB</title></rect>`);
      x += w;
    }
    out.push(text(x + 6, y + barH / 2 + 4, `${totals[i]!.toFixed(1)} s`));
  });
  PARTS.forEach(([part, colour], i) => {
    const x = right.x - 90 + (i % 3) * 150;
    const y = right.y + right.h + 10 + Math.floor(i / 3) * 20;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${colour}"/>`, text(x + 18, y + 10, part === 'server' ? 'server process' : `Chromium ${part}`));
  });
  out.push(text(20, height - 12, input.caption, 'class="note"'));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="13">
<style>.title{font-size:15px;font-weight:600}.grid{stroke:#e5e7eb}.ceiling{stroke:#9ca3af;stroke-dasharray:5 4}.note{fill:#555;font-size:12px}text{fill:#1f2328}</style>
<rect width="100%" height="100%" fill="#fff"/>
${out.join('\n')}
</svg>
`;
}
