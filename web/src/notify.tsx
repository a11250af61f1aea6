import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorText } from './api';

// Toasts: shown at the top right of the viewport, wherever the user has scrolled to. Successes
// close by themselves; errors and conflicts stay until dismissed (they need an answer).

const closeButtonProps = { 'aria-label': 'Close notification' };

export function notifySuccess(message: string): void {
  notifications.show({ message, color: 'green', autoClose: 4000, closeButtonProps });
}

// One error toast at a time: a new error replaces the one before (repeated Saves do not stack).
let lastError: string | null = null;

export function notifyError(error: unknown, title = 'Not saved'): void {
  if (lastError) notifications.hide(lastError);
  lastError = notifications.show({
    title,
    message: typeof error === 'string' ? error : errorText(error),
    color: 'red',
    autoClose: false,
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
          Reload to see the current version (your unsaved edits will be discarded), then make your
          changes again.
        </Text>
        <Button
          variant="default"
          size="xs"
          onClick={() => {
            notifications.hide(CONFLICT_ID);
            void reload();
          }}
        >
          Reload {what}
        </Button>
      </>
    ),
  });
}
