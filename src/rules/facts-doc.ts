import { FACTS, PROBE_DESCRIPTIONS, PROBE_IDS, type FactSpec } from '../facts';

/** The fact catalogue as text, grouped by where each fact comes from: `front-why rules facts`. */
export function describeFacts(): string {
  const entries = Object.entries(FACTS) as [string, FactSpec][];
  const width = Math.max(...entries.map(([path]) => path.length));
  const typeWidth = Math.max(...entries.map(([, spec]) => spec.type.length));
  const row = ([path, spec]: [string, FactSpec]) =>
    `  ${path.padEnd(width)}  ${spec.type.padEnd(typeWidth)}  ${spec.description}`;

  const sections = [
    [
      'From the paste (always known; a field the paste lacks is absent)',
      entries.filter(([, s]) => s.source === 'paste'),
    ] as const,
    ...PROBE_IDS.map(
      (probe) =>
        [
          `From the "${probe}" probe (unknown until it runs): ${PROBE_DESCRIPTIONS[probe]}`,
          entries.filter(([, s]) => s.source === probe),
        ] as const,
    ),
  ];
  return sections
    .filter(([, rows]) => rows.length > 0)
    .map(([title, rows]) => [title, ...rows.map(row)].join('\n'))
    .join('\n\n');
}
