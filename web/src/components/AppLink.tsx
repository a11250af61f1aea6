import { Anchor, type AnchorProps } from '@mantine/core';
import type { MouseEvent, ReactNode } from 'react';
import { useLocation } from 'wouter';
import { confirmLeave } from '../leave-guard';

/** An in-app link (a real <a href>) that asks before leaving unsaved changes. */
export function AppLink({
  to,
  children,
  ...props
}: AnchorProps & { to: string; children: ReactNode }) {
  const [, navigate] = useLocation();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey
    )
      return;
    event.preventDefault();
    if (confirmLeave()) navigate(to);
  };
  return (
    <Anchor href={`/admin${to}`} onClick={onClick} {...props}>
      {children}
    </Anchor>
  );
}

/** Navigation from code (after save, after delete), honouring the unsaved-changes guard. */
export function useGuardedNavigate(): (to: string) => void {
  const [, navigate] = useLocation();
  return (to: string) => {
    if (confirmLeave()) navigate(to);
  };
}
