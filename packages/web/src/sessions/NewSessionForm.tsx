import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CreateSessionBody } from '@nightshift/protocol';
import { ApiError } from '@nightshift/client';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import { navigate, linkHandler } from '../router.js';
import { RepoPicker } from './RepoPicker.js';
import { githubErrorView, type GitHubErrorView } from './github-error.js';
import { GitHubFixLink } from './GitHubFixLink.js';

type RepoEntry = Awaited<ReturnType<typeof api.listRepos>>[number];

type FieldName = 'repo' | 'baseBranch' | 'title' | 'model';
const FIELDS: { name: FieldName; label: string; placeholder: string; hint?: string; required?: boolean }[] = [
  {
    name: 'repo',
    label: 'Repository',
    placeholder: 'owner/name, https://github.com/you/project.git or /path/to/repo',
    hint: 'Pick one of the repositories offered, or type a git URL or an absolute path to a local git repository.',
    required: true,
  },
  { name: 'baseBranch', label: 'Base branch', placeholder: 'default branch' },
  { name: 'title', label: 'Title', placeholder: 'What is this session about?' },
  { name: 'model', label: 'Model', placeholder: 'server default, e.g. anthropic/claude-sonnet-4-5' },
];

/**
 * Creates a session. Validation is the server's: its 400 names the field (`repo: must be …`)
 * and a 422 means the repository could not be read, so both land next to the right input.
 */
export function NewSessionForm() {
  const [values, setValues] = useState<Record<FieldName, string>>({
    repo: '',
    baseBranch: '',
    title: '',
    model: '',
  });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  /** What fixes the repository's refusal, when GitHub is behind it (install the App, sign in again). */
  const [repoAction, setRepoAction] = useState<GitHubErrorView['action'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [repos, setRepos] = useState<RepoEntry[]>([]);
  /** The picked repository's default branch, shown as the base branch's placeholder. */
  const [pickedBase, setPickedBase] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    // Without the list (an older server, a refusal) the field still takes a typed repository.
    api
      .listRepos()
      .then((list) => !cancelled && setRepos(list))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    setRepoAction(null);
    const body: CreateSessionBody = { repo: values.repo.trim() };
    if (values.baseBranch.trim()) body.baseBranch = values.baseBranch.trim();
    if (values.title.trim()) body.title = values.title.trim();
    if (values.model.trim()) body.model = values.model.trim();
    try {
      const session = await api.createSession(body);
      navigate(`/sessions/${encodeURIComponent(session.id)}`);
    } catch (err) {
      if (!(err instanceof ApiError)) setFormError(describeError(err));
      else if (err.field && isField(err.field)) setErrors({ [err.field]: err.detail });
      else if (err.status === 422 || err.code.startsWith('repo') || err.code.startsWith('github_')) {
        setErrors({ repo: err.message });
        setRepoAction(githubErrorView(err, location.pathname).action ?? null);
      } else setFormError(describeError(err));
      // Put the cursor where the problem is.
      const field = err instanceof ApiError ? (err.field ?? (err.status === 422 ? 'repo' : null)) : null;
      if (field) document.getElementById(`${id}-${field}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page narrow">
      <a href="/" onClick={linkHandler} className="back-link">
        ← Sessions
      </a>
      <h1>New session</h1>
      <form onSubmit={submit} className="card form" noValidate aria-busy={busy}>
        {FIELDS.map((f) => {
          const error = errors[f.name];
          const inputId = `${id}-${f.name}`;
          // The hint gives way to the error, so only one of them describes the field.
          const describedBy = error ? `${inputId}-error` : f.hint ? `${inputId}-hint` : '';
          return (
            <div className="field" key={f.name}>
              <label htmlFor={inputId}>
                {f.label}
                {!f.required && <span className="muted"> (optional)</span>}
              </label>
              {f.name === 'repo' ? (
                <RepoPicker
                  id={inputId}
                  value={values.repo}
                  repos={repos}
                  placeholder={f.placeholder}
                  invalid={Boolean(error)}
                  describedBy={describedBy || undefined}
                  onChange={(repo) => {
                    setValues((v) => ({ ...v, repo }));
                    setPickedBase(null);
                  }}
                  onPick={(r) => setPickedBase(r.baseBranch)}
                />
              ) : (
                <input
                  id={inputId}
                  name={f.name}
                  value={values[f.name]}
                  placeholder={f.name === 'baseBranch' && pickedBase ? pickedBase : f.placeholder}
                  autoComplete="off"
                  spellCheck={false}
                  required={f.required}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={describedBy || undefined}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              )}
              {f.hint && !error && (
                <p id={`${inputId}-hint`} className="hint">
                  {f.hint}
                </p>
              )}
              {error && (
                <p id={`${inputId}-error`} className="field-error" role="alert">
                  {error}
                  {f.name === 'repo' && <GitHubFixLink action={repoAction} />}
                </p>
              )}
            </div>
          );
        })}
        {formError && (
          <p className="field-error" role="alert">
            {formError}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create session'}
          </button>
        </div>
      </form>
    </main>
  );
}

function isField(name: string): name is FieldName {
  return FIELDS.some((f) => f.name === name);
}
