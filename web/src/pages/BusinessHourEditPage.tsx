export default function BusinessHourEditPage(_props: { id: string }) {
  return null;
}
