import { formatCost, formatTokens } from '../../components/format.js';

export interface UsageRow {
  key: string;
  label: string;
  title?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One breakdown of the usage report; the costliest first. */
export function UsageTable({ caption, first, rows }: { caption: string; first: string; rows: UsageRow[] }) {
  const sorted = [...rows].sort((a, b) => b.costUsd - a.costUsd);
  return (
    <table className="settings-table usage-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">Input tokens</th>
          <th scope="col">Output tokens</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && (
          <tr>
            <td colSpan={4} className="muted">
              No model traffic in this period.
            </td>
          </tr>
        )}
        {sorted.map((r) => (
          <tr key={r.key}>
            <td title={r.title}>{r.label}</td>
            <td>{formatTokens(r.inputTokens)}</td>
            <td>{formatTokens(r.outputTokens)}</td>
            <td>{formatCost(r.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
