export default function BusinessHoursPage() {
  return null;
}
