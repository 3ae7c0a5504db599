import type { TokenCreated } from '@nightshift/protocol';
import { CopyText } from '../../components/CopyText.js';

/** The one time a token's value is shown, with the command that stores it for the CLI. */
export function CreatedToken({ token, onDismiss }: { token: TokenCreated; onDismiss(): void }) {
  return (
    <section className="card created-token" aria-labelledby="created-token-heading">
      <h2 id="created-token-heading">Token “{token.name}” created</h2>
      <p role="status">Copy it now: it will not be shown again. Only a hash of it is kept.</p>
      <CopyText text={token.token} buttonText="Copy token" label="Copy token" />
      <p className="hint">To use it from the command line, run this and paste the token when asked:</p>
      <CopyText text={`nightshift login --server ${location.origin}`} />
      <div className="actions">
        <button type="button" className="button ghost" onClick={onDismiss}>
          Done
        </button>
      </div>
    </section>
  );
}
