import type { UsageTotals } from '@nightshift/protocol';
import { formatCost, formatTokens } from '../components/format.js';
import type { TimelineState } from '../timeline/reducer.js';

/**
 * The session's tokens and cost, in the header's meta line. What the model proxy counted is the
 * measure (it is what budgets are charged); without it (a model reached directly, or a server
 * without the proxy), what the agent reported in its steps.
 */
export function SessionUsage({
  usage,
  reported,
}: {
  usage: UsageTotals | undefined;
  reported: TimelineState['totals'];
}) {
  const counted = usage && usage.inputTokens + usage.outputTokens > 0;
  const tokens = counted
    ? usage.inputTokens + usage.outputTokens
    : reported.inputTokens + reported.outputTokens;
  const cost = counted ? usage.costUsd : reported.cost;
  if (tokens === 0 && cost === 0) return null;
  return (
    <span className="session-usage" title={counted ? 'Counted by the model proxy' : 'Reported by the agent'}>
      {' '}
      · {formatTokens(tokens)} tokens · {formatCost(cost)}
    </span>
  );
}
