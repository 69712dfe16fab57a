/** "5 min ago"-style text of a time, relative to now. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  if (s < 5) return 'just now';
  let text: string;
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.round(s / 60)} min`;
  else if (s < 86_400) text = `${Math.round(s / 3600)} h`;
  else text = `${Math.round(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A time shown relative to now, with the absolute time on hover. */
export function RelativeTime(props: { iso: string }) {
  const absolute = new Date(props.iso).toISOString().replace('.000Z', 'Z');
  return (
    <time dateTime={props.iso} title={absolute}>
      {relativeTime(props.iso)}
    </time>
  );
}
