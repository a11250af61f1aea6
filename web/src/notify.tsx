import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorText } from './api';

// Toasts: shown at the top right of the viewport, wherever the user has scrolled to. Successes
// close by themselves; errors and conflicts stay until dismissed (they need an answer).

const closeButtonProps = { 'aria-label': 'Close notification' };

// One error toast at a time: a new error replaces the one before (repeated Saves do not stack),
// and a success that follows takes it away (what it complained about is settled).
let lastError: string | null = null;

function hideLastError(): void {
  if (lastError) notifications.hide(lastError);
  lastError = null;
}

export function notifySuccess(message: string): void {
  hideLastError();
  notifications.show({ message, color: 'green', autoClose: 4000, closeButtonProps });
}

/** Something the user should know that is neither a success nor a failure. */
export function notifyInfo(message: string): void {
  notifications.show({ message, color: 'blue', autoClose: 8000, closeButtonProps });
}

export function notifyError(error: unknown, title = 'Not saved'): void {
  hideLastError();
  lastError = notifications.show({
    title,
    message: typeof error === 'string' ? error : errorText(error),
    color: 'red',
    autoClose: false,
    closeButtonProps,
  });
}

/**
 * A form the browser refused before sending: the fields say what is wrong, so the toast only
 * points at them, and closes by itself.
 */
export function notifyInvalidForm(): void {
  hideLastError();
  lastError = notifications.show({
    title: 'Not saved',
    message: 'Some fields need attention: see the highlighted fields.',
    color: 'red',
    autoClose: 6000,
    closeButtonProps,
  });
}

const CONFLICT_ID = 'conflict';

/** A 412: someone else changed the thing; the toast offers to reload it. */
export function notifyConflict(what: string, reload: () => unknown): void {
  notifications.show({
    id: CONFLICT_ID,
    title: 'Changed by someone else',
    color: 'orange',
    autoClose: false,
    closeButtonProps,
    message: (
      <>
        <Text size="sm" mb="xs">
          This {what} was changed by someone else after you opened it. Your changes were not saved.
          Reload to get the current version: your edits are kept and put back on top of it, so you
          can check them and save again.
        </Text>
        <Button
          variant="default"
          size="xs"
          onClick={() => {
            notifications.hide(CONFLICT_ID);
            void reload();
          }}
        >
          Reload, keeping my edits
        </Button>
      </>
    ),
  });
}
