/** Previous / next paging with "page x of y". */
export function Pager(props: { page: number; pages: number; total: number; onPage(page: number): void; label: string }) {
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>Previous</button>
      <span aria-live="polite">Page {props.page} of {Math.max(1, props.pages)} ({props.total.toLocaleString("en-US")} {props.label})</span>
      <button type="button" disabled={props.page >= props.pages} onClick={() => props.onPage(props.page + 1)}>Next</button>
    </nav>
  );
}
