import { useEffect, useRef } from "preact/hooks";

/** A modal yes/no question on the native <dialog> (focus trapped, Escape cancels). */
export function Confirm(props: { title: string; message: string; confirmLabel: string; danger?: boolean; onConfirm(): void; onCancel(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={props.onCancel} class="dialog">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.message}</p>
      <div class="row end">
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" class={props.danger ? "danger" : "primary"} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
