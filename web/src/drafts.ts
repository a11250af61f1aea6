// Unsaved form edits survive an ended session: when the API says the session is over (401),
// every open form's values are kept in sessionStorage (this tab only, like the session), and
// the same form restores them once its user has logged in again on the same page.
import { useEffect, useRef } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { loadSession } from './api';

const PREFIX = 'departments-console.draft:';

interface Draft {
  userId: string;
  values: unknown;
}

/** The open forms with unsaved edits: their key and how to read their values now. */
const openForms = new Map<string, () => unknown>();

/** Keeps every open form's unsaved values; called just before the session is dropped. */
export function keepDrafts(): void {
  const session = loadSession();
  if (!session) return;
  for (const [key, values] of openForms) {
    const draft: Draft = { userId: session.userId, values: values() };
    sessionStorage.setItem(PREFIX + key, JSON.stringify(draft));
  }
}

/** Forgets every kept draft (an explicit log-out: the user chose to leave). */
export function dropDrafts(): void {
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  }
}

function takeDraft(key: string): unknown {
  const raw = sessionStorage.getItem(PREFIX + key);
  if (raw === null) return undefined;
  sessionStorage.removeItem(PREFIX + key);
  try {
    const draft = JSON.parse(raw) as Draft;
    return draft.userId === loadSession()?.userId ? draft.values : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Registers a form under `key` (one per page: `department:<id>`, `department:new`…) while it
 * has unsaved edits, and restores a draft kept for it; `onRestored` tells the user.
 */
export function useDraft<T extends FieldValues>(
  key: string,
  form: UseFormReturn<T>,
  onRestored: () => void,
): void {
  const { isDirty } = form.formState;
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    const values = takeDraft(key);
    if (values === undefined) return;
    // Kept as defaults were the stored values: the restored ones show as unsaved edits.
    form.reset(values as T, { keepDefaultValues: true });
    onRestored();
  }, [key]);
  useEffect(() => {
    if (!isDirty) return;
    openForms.set(key, () => form.getValues());
    return () => {
      openForms.delete(key);
    };
  }, [key, isDirty]);
}
