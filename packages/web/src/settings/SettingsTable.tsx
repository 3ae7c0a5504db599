import type { ReactNode } from 'react';
import { formatTime } from '../components/format.js';

/**
 * A settings page's list of things as a table (tokens, secrets): its column headings, and when
 * rows can be acted on, a last column of buttons whose heading only a screen reader reads.
 */
export function SettingsTable({
  label,
  columns,
  withActions,
  children,
}: {
  label: string;
  columns: string[];
  withActions: boolean;
  children: ReactNode;
}) {
  return (
    <table className="settings-table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          {withActions && (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A row's button, named for the row it acts on (`Revoke ci`, `Delete NPM_TOKEN`). */
export function RowAction({
  label,
  danger = false,
  onClick,
  children,
}: {
  label: string;
  danger?: boolean;
  onClick(): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={danger ? 'button small danger' : 'button small'}
      aria-label={label}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

export function Timestamp({ at }: { at: string }) {
  return <time dateTime={at}>{formatTime(at)}</time>;
}
