import { useMemo, useState, type KeyboardEvent } from 'react';
import { searchRepos, type RepoChoice } from './repo-search.js';

/**
 * The repository field: a combobox (ARIA 1.2 pattern, list autocomplete) offering the
 * deployment's repositories as the person types. Whatever is typed stays the value, so a git URL
 * or a local path (local mode) is accepted as well as a picked `owner/name`.
 */
export function RepoPicker<R extends RepoChoice>({
  id,
  value,
  repos,
  placeholder,
  invalid,
  describedBy,
  onChange,
  onPick,
}: {
  id: string;
  value: string;
  repos: readonly R[];
  placeholder: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange(value: string): void;
  /** A repository chosen from the list (not merely typed). */
  onPick?(repo: R): void;
}) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const matches = useMemo(() => searchRepos(repos, value), [repos, value]);
  const listId = `${id}-listbox`;
  const expanded = open && matches.length > 0;
  const optionId = (i: number) => `${id}-option-${i}`;

  function pick(r: R) {
    onChange(r.repo);
    onPick?.(r);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (matches.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setOpen(true);
      setActive((i) =>
        !open ? (step > 0 ? 0 : matches.length - 1) : (i + step + matches.length) % matches.length,
      );
    } else if (e.key === 'Enter' && expanded && active >= 0 && matches[active]) {
      // Picking an option must not submit the form.
      e.preventDefault();
      pick(matches[active]);
    } else if (e.key === 'Escape' && expanded) {
      e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  }

  return (
    <div className="combobox">
      <input
        id={id}
        name="repo"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        value={value}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        required
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        // Leaving the field closes the list; a click on an option lands first (mousedown below).
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label="Repositories" className="combobox-list" hidden={!expanded}>
        {expanded &&
          matches.map((r, i) => (
            <li
              key={r.repo}
              id={optionId(i)}
              role="option"
              aria-label={r.repo}
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(r)}
            >
              <span className="combobox-name">{r.repo}</span>
              {r.description && <span className="combobox-description muted">{r.description}</span>}
            </li>
          ))}
      </ul>
    </div>
  );
}
