import { useEffect, useId, useState } from 'react';
import type { Person, UsageReport } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { formatCost, formatTokens } from '../../components/format.js';
import { SettingsPage } from '../SettingsPage.js';
import { UsageTable } from './UsageTable.js';

const PERIODS = [1, 7, 30] as const;

/**
 * What the model traffic the control plane proxied cost, by person and by model. A member is
 * shown their own calls only (the server decides; the page says so).
 */
export function UsagePage({ person }: { person: Person | null }) {
  const [days, setDays] = useState<(typeof PERIODS)[number]>(7);
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    setReport(null);
    setError(null);
    api
      .usage({ days })
      .then((r) => !cancelled && setReport(r))
      .catch((err: unknown) => !cancelled && setError(describeError(err)));
    return () => {
      cancelled = true;
    };
  }, [days]);

  return (
    <SettingsPage title="Usage">
      <p className="muted">
        Tokens and cost of the model calls the server made for sandboxes
        {person && person.role !== 'admin' ? ': yours only (admins see everyone’s).' : ', for everyone.'}
      </p>
      <div className="field period-field">
        <label htmlFor={`${id}-days`}>Period</label>
        <select
          id={`${id}-days`}
          value={days}
          onChange={(e) => setDays(Number(e.target.value) as typeof days)}
        >
          {PERIODS.map((d) => (
            <option key={d} value={d}>
              {d === 1 ? 'Last 24 hours' : `Last ${d} days`}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!report && !error && <p className="muted">Loading…</p>}
      {report && (
        <>
          <p className="usage-totals" aria-label="Totals">
            <strong>{formatCost(report.totals.costUsd)}</strong> · {formatTokens(report.totals.inputTokens)}{' '}
            tokens in · {formatTokens(report.totals.outputTokens)} out
          </p>
          <UsageTable
            caption="By person"
            first="Person"
            rows={report.byPerson.map((p) => ({ key: p.email, label: p.name, title: p.email, ...p }))}
          />
          <UsageTable
            caption="By model"
            first="Model"
            rows={report.byModel.map((m) => ({ key: m.model, label: m.model, ...m }))}
          />
        </>
      )}
    </SettingsPage>
  );
}
