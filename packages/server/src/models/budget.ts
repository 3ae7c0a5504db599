/**
 * Per-person daily model budgets (NIGHTSHIFT_BUDGET_USD_PER_DAY), per UTC day. Pure: what has
 * been spent and the budget in, a verdict out; the ledger and the proxy carry it out.
 */

/** Where today's UTC day began, as an ISO timestamp: spending is summed from here. */
export function utcDayStart(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
}

export function budgetExceededMessage(email: string, budgetUsd: number): string {
  return `${email} has used today's model budget of $${formatUsd(budgetUsd)} (resets 00:00 UTC)`;
}

/** Null when the person may go on; otherwise the message saying why not. */
export function budgetVerdict(input: {
  budgetUsdPerDay: number | null;
  email: string;
  spentTodayUsd: number;
}): string | null {
  if (input.budgetUsdPerDay === null) return null;
  if (input.spentTodayUsd < input.budgetUsdPerDay) return null;
  return budgetExceededMessage(input.email, input.budgetUsdPerDay);
}

function formatUsd(usd: number): string {
  // $5 reads as 5.00; a tiny test budget keeps its digits.
  return usd >= 0.01 ? usd.toFixed(2) : String(usd);
}
