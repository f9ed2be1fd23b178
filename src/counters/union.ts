/**
 * A union counter's (visitors') cell key: the day of the site the visitors were seen on, a space,
 * then the counter's key (`2024-05-01 /blog/x/`). The day goes with the ids into every period a
 * tally keeps them by (an hour of a zone whose offset is not whole hours lies in two days), and
 * tells the rollup which day item they go into.
 */
const DAY_LENGTH = 10;

export function unionKey(day: string, key: string): string {
  return `${day} ${key}`;
}

/** The day and the counter's key of a union cell key. */
export function splitUnionKey(dayKey: string): [day: string, key: string] {
  return [dayKey.slice(0, DAY_LENGTH), dayKey.slice(DAY_LENGTH + 1)];
}
