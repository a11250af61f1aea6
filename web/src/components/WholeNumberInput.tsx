import { TextInput, type TextInputProps } from '@mantine/core';
import { forwardRef, useEffect, useState } from 'react';

const DIGITS = /^\d+$/;

/**
 * A whole number, 0 or more, typed as text: what the user types stays as typed. A valid
 * number reaches the form as a number; anything else (`-3.5`, `1e3`, more digits than a number
 * keeps exactly) reaches it as the text, which `wholeNumberRule` refuses with a message,
 * instead of the field silently changing it.
 */
export const WholeNumberInput = forwardRef<
  HTMLInputElement,
  Omit<TextInputProps, 'value' | 'onChange'> & {
    value: number | string;
    onChange: (value: number | string) => void;
  }
>(function WholeNumberInput({ value, onChange, ...props }, ref) {
  const [text, setText] = useState(String(value));
  // A reset or reload replaces the value: the box follows unless it already shows it.
  useEffect(() => {
    setText((typed) => (parseWhole(typed) === value || typed === value ? typed : String(value)));
  }, [value]);
  return (
    <TextInput
      {...props}
      ref={ref}
      inputMode="numeric"
      value={text}
      onChange={(event) => {
        const typed = event.currentTarget.value;
        setText(typed);
        const number = parseWhole(typed);
        onChange(number ?? typed);
      }}
    />
  );
});

function parseWhole(text: string): number | null {
  const trimmed = text.trim();
  if (!DIGITS.test(trimmed)) return null;
  const number = Number(trimmed);
  return Number.isSafeInteger(number) ? number : null;
}

/** The form rule of a WholeNumberInput; `optional` lets the box be empty. */
export function wholeNumberRule(optional: boolean) {
  return (value: number | string) =>
    (optional && value === '') ||
    typeof value === 'number' ||
    (String(value).trim() === ''
      ? 'Enter a whole number, 0 or more'
      : `“${String(value)}” is not a whole number, 0 or more (digits only, at most 9007199254740991)`);
}
