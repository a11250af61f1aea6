import type { KeyboardEvent } from 'react';

/**
 * Enter in a text box never submits a form (a half-typed name, a picker's search, a time):
 * only the Save button does. A text area keeps Enter for new lines.
 */
export function keepEnterFromSubmitting(event: KeyboardEvent<HTMLFormElement>): void {
  if (event.key === 'Enter' && event.target instanceof HTMLInputElement) event.preventDefault();
}
