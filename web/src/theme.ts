import { createTheme, Modal, type MantineColorsTuple } from '@mantine/core';
import border from '@rocket.chat/fuselage-tokens/dist/border.json';
import colors from '@rocket.chat/fuselage-tokens/dist/colors.json';
import typography from '@rocket.chat/fuselage-tokens/dist/typography.json';

// Mantine themed with Rocket.Chat's design tokens (fuselage-tokens): its palette, Inter type
// scale and radii, so the console looks like Rocket.Chat's own administration.
const scale = (prefix: 'b' | 'r' | 'g' | 'o' | 'y', darkest: string): MantineColorsTuple => {
  const palette = colors as Record<string, string>;
  return [
    palette[`${prefix}100`],
    palette[`${prefix}200`],
    palette[`${prefix}300`],
    palette[`${prefix}400`],
    palette[`${prefix}500`],
    palette[`${prefix}600`],
    palette[`${prefix}700`],
    palette[`${prefix}800`],
    palette[`${prefix}900`],
    darkest,
  ];
};

const neutral: MantineColorsTuple = [
  colors.n100,
  colors.n200,
  colors.n300,
  colors.n400,
  colors.n500,
  colors.n600,
  colors.n700,
  colors.n800,
  colors.n900,
  '#14171c',
];

const font = typography.fontScale;
const px = (value: number) => `${value}px`;
const heading = (level: keyof typeof font) => ({
  fontSize: px(font[level].fontSize),
  lineHeight: px(font[level].lineHeight),
  fontWeight: String(font[level].fontWeight),
});

export const theme = createTheme({
  // Shade 6 (b600, #095ad2) rather than Rocket.Chat's b500: white text on it meets WCAG AA.
  primaryColor: 'blue',
  primaryShade: 6,
  colors: {
    blue: scale('b', '#011530'),
    red: scale('r', colors.r1000),
    green: scale('g', colors.g1000),
    orange: scale('o', colors.o1000),
    yellow: scale('y', colors.y1000),
    gray: neutral,
    dark: [...neutral].reverse() as unknown as MantineColorsTuple,
  },
  black: colors.n900,
  white: colors.white,
  fontFamily: typography.fontFamily.sans.join(', '),
  fontFamilyMonospace: typography.fontFamily.mono.join(', '),
  defaultRadius: px(border.radius.medium),
  radius: {
    xs: px(border.radius.small),
    sm: px(border.radius.medium),
    md: px(border.radius.medium),
    lg: px(border.radius.large),
    xl: px(border.radius['extra-large']),
  },
  fontSizes: {
    xs: px(font.c1.fontSize),
    sm: px(font.p2.fontSize),
    md: px(font.p1.fontSize),
    lg: px(font.h4.fontSize),
    xl: px(font.h3.fontSize),
  },
  components: {
    // Mantine's close button is an icon only: give it a name screen readers can say.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    // Wide tables scroll sideways inside their box on narrow screens; keyboard users must be
    // able to reach that box to scroll it (a native, focusable overflow container).
    TableScrollContainer: { defaultProps: { type: 'native', tabIndex: 0 } },
  },
  headings: {
    fontFamily: typography.fontFamily.sans.join(', '),
    sizes: {
      h1: heading('h1'),
      h2: heading('h2'),
      h3: heading('h3'),
      h4: heading('h4'),
      h5: heading('h5'),
    },
  },
});
