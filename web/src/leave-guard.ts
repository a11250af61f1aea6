import { useEffect } from 'react';

// Unsaved changes: in-app links ask through confirmLeave(); closing or reloading the tab asks
// through the browser's own beforeunload prompt; the browser's Back asks through a guard entry:
// while a form is dirty, the history holds a copy of the current entry on top, so Back first
// lands on the same page (nothing changes), where the console asks; leaving then goes back once
// more, staying puts the guard entry back.
const UNSAVED = 'You have unsaved changes. Leave this page and lose them?';
const GUARD_STATE = { leaveGuard: true };
let guarded = false;

export function confirmLeave(): boolean {
  if (!guarded) return true;
  const leave = window.confirm(UNSAVED);
  if (leave) guarded = false;
  return leave;
}

/** Whether the current history entry is the guard entry (navigation then replaces it). */
export function onGuardEntry(): boolean {
  return (window.history.state as typeof GUARD_STATE | null)?.leaveGuard === true;
}

export function useLeaveGuard(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    guarded = true;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    // Back from the guard entry: the page is unchanged; ask, then really go back or stay.
    const onPopState = () => {
      if (!guarded) return;
      if (window.confirm(UNSAVED)) {
        guarded = false;
        window.history.back();
      } else {
        window.history.pushState(GUARD_STATE, '', window.location.href);
      }
    };
    if (!onGuardEntry()) window.history.pushState(GUARD_STATE, '', window.location.href);
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('popstate', onPopState);
    return () => {
      guarded = false;
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('popstate', onPopState);
    };
  }, [active]);
}
