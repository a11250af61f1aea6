import { Title } from '@mantine/core';
import { useEffect, useRef, type ReactNode } from 'react';

const TITLE_SELECTOR = 'main h1[data-page-title]';

/**
 * Where focus goes when what it was on is gone (a saved form, a row that moved, a closed
 * dialog whose opener left, a new page): the page's title, so the keyboard continues from the
 * page the user is on instead of from <body>.
 */
export function focusPageTitle(): void {
  document.querySelector<HTMLElement>(TITLE_SELECTOR)?.focus({ preventScroll: true });
}

/** Focus on <body> (lost) is moved to the page's title once the page has settled. */
export function rescueLostFocus(): void {
  setTimeout(() => {
    if (document.activeElement === null || document.activeElement === document.body) {
      focusPageTitle();
    }
  }, 350);
}

export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // A new page (a link, Back, a redirect after create) starts from its title.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) {
      ref.current?.focus({ preventScroll: true });
    }
  }, []);
  return (
    <Title
      order={1}
      size="h2"
      mb="md"
      ref={ref}
      tabIndex={-1}
      data-page-title
      style={{ outlineOffset: 2, overflowWrap: 'anywhere' }}
    >
      {children}
    </Title>
  );
}
