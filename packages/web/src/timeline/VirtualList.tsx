import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

const ESTIMATE = 72;
const OVERSCAN_PX = 600;
const BOTTOM_SLACK_PX = 48;

interface Props {
  count: number;
  renderRow(index: number): ReactNode;
  rowKey(index: number): string;
  label: string;
  /** Changes whenever rows change content, so a followed bottom stays in view while text streams. */
  version: unknown;
}

/**
 * A windowed list with measured, variable row heights: only the rows near the viewport are in
 * the DOM, so a 20,000-event timeline opens and scrolls like a short one. Rows are append-only
 * and never reorder, so heights are cached by index. It follows the bottom while you are there
 * and stays put when you scroll up to read.
 */
export function VirtualList({ count, renderRow, rowKey, label, version }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef<number[]>([]);
  const following = useRef(true);
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const [, setMeasured] = useState(0);

  const observer = useRef<ResizeObserver | null>(null);
  const getObserver = useCallback(() => {
    observer.current ??= new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const el = entry.target as HTMLElement;
        const i = Number(el.dataset.index);
        const h = el.offsetHeight;
        if (h > 0 && heights.current[i] !== h) {
          heights.current[i] = h;
          changed = true;
        }
      }
      if (changed) setMeasured((n) => n + 1);
    });
    return observer.current;
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);

  // Prefix sums over cached heights: O(count) additions per render, cheap even at 20k rows.
  const offsets = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + (heights.current[i] ?? ESTIMATE);
  const total = offsets[count]!;

  const top = Math.max(0, viewport.top - OVERSCAN_PX);
  const bottom = viewport.top + viewport.height + OVERSCAN_PX;
  let start = lowerBound(offsets, top);
  start = Math.max(0, start - 1);
  let end = lowerBound(offsets, bottom);
  end = Math.min(count, Math.max(end, start + 1));
  if (following.current) {
    // While following, make sure the last rows are rendered even before measurements settle.
    end = count;
    start = Math.min(start, Math.max(0, count - 30));
  }

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - BOTTOM_SLACK_PX;
    setViewport({ top: el.scrollTop, height: el.clientHeight });
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport({ top: el.scrollTop, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <MeasuredRow key={rowKey(i)} index={i} observer={getObserver}>
        {renderRow(i)}
      </MeasuredRow>,
    );
  }

  return (
    <div
      ref={scroller}
      className="timeline-scroller"
      role="log"
      aria-label={label}
      aria-live="polite"
      tabIndex={0}
      onScroll={onScroll}
      data-version={typeof version === 'number' ? version : undefined}
    >
      <div style={{ height: offsets[start] }} aria-hidden="true" />
      {rows}
      <div style={{ height: total - offsets[end]! }} aria-hidden="true" />
    </div>
  );
}

function MeasuredRow({
  index,
  observer,
  children,
}: {
  index: number;
  observer: () => ResizeObserver;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = observer();
    ro.observe(el);
    return () => ro.unobserve(el);
  }, [observer]);
  return (
    <div ref={ref} data-index={index} className="timeline-row">
      {children}
    </div>
  );
}

/** First index whose offset is >= value. */
function lowerBound(offsets: Float64Array, value: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
