/**
 * Sorting the similarity matrix: the rows (images) by one text's column, or the columns (texts) by one
 * image's row. One sort at a time; pressing the same header again cycles descending, ascending, off.
 */
import type { MatrixData } from '../../src/shared/protocol';

/** Which axis is reordered, by which column (axis 'rows') or row (axis 'cols'), in which direction. */
export interface SortState {
  axis: 'rows' | 'cols';
  by: number;
  descending: boolean;
}

/** The data index shown at each display position, for rows and for columns. */
export interface DisplayOrder {
  rows: number[];
  cols: number[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The display order of `matrix` under `sort` (ties keep their data order). */
export function displayOrder(matrix: MatrixData, sort: SortState | null): DisplayOrder {
  const rows = range(matrix.rows);
  const cols = range(matrix.cols);
  if (!sort) return { rows, cols };
  const sign = sort.descending ? -1 : 1;
  const at = (i: number, j: number) => matrix.values[i * matrix.cols + j];
  if (sort.axis === 'rows' && sort.by < matrix.cols) rows.sort((a, b) => sign * (at(a, sort.by) - at(b, sort.by)) || a - b);
  if (sort.axis === 'cols' && sort.by < matrix.rows) cols.sort((a, b) => sign * (at(sort.by, a) - at(sort.by, b)) || a - b);
  return { rows, cols };
}

/** The sort after pressing the header that sorts `axis` by `by`. */
export function nextSort(current: SortState | null, axis: SortState['axis'], by: number): SortState | null {
  if (!current || current.axis !== axis || current.by !== by) return { axis, by, descending: true };
  return current.descending ? { axis, by, descending: false } : null;
}

/** `sort` if it still fits a rows x cols matrix, else null (the set changed under it). */
export function validSort(sort: SortState | null | undefined, matrix: MatrixData): SortState | null {
  if (!sort) return null;
  return sort.by < (sort.axis === 'rows' ? matrix.cols : matrix.rows) ? sort : null;
}
