import { useEffect } from 'react';

// Unsaved changes: in-app links ask through confirmLeave(); closing or reloading the tab asks
// through the browser's own beforeunload prompt.
const UNSAVED = 'You have unsaved changes. Leave this page and lose them?';
let guarded = false;

export function confirmLeave(): boolean {
  if (!guarded) return true;
  const leave = window.confirm(UNSAVED);
  if (leave) guarded = false;
  return leave;
}

export function useLeaveGuard(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    guarded = true;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      guarded = false;
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [active]);
}
