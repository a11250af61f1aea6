import { QueryState } from '../../components/QueryState';
import { EditUnit } from './EditUnit';
import { useUnit } from './useUnits';

/** Loads the unit with its monitors and departments (`id` "new" for a new one), then the form. */
export default function EditUnitWithData({ id }: { id: string }) {
  const isNew = id === 'new';
  const loaded = useUnit(isNew ? undefined : id);
  if (isNew) return <EditUnit loaded={null} />;
  return (
    <QueryState
      query={loaded}
      noun="unit"
      back={{ to: '/units', label: 'Back to the units' }}
      found={(data) => !!data.unit}
    >
      {(data) => <EditUnit loaded={data} />}
    </QueryState>
  );
}
