import { Fieldset, type FieldsetProps } from '@mantine/core';

/** A titled group of the form. min-width 0: a fieldset otherwise grows to its widest child (a table) and the page scrolls sideways. */
export function Section(props: FieldsetProps) {
  return <Fieldset {...props} style={{ minWidth: 0, ...(props.style as object) }} />;
}
