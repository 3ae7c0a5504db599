import { memo } from 'react';
import MarkdownIt from 'markdown-it';

/**
 * Agent text is untrusted: raw HTML is disabled (escaped, never interpreted) and markdown-it's
 * link validation drops javascript:, vbscript: and data: URLs, so the output is safe to inject.
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: false });
const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('target', '_blank');
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: md.render(text) }} />;
});
