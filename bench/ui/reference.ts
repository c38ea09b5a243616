/**
 * The reference: the same 10,000 rows (same fields, same stylesheet) as a plain, non-virtualised
 * DOM list built directly, no framework. Loaded as reference.html's script.
 */
interface ReferenceWindow extends Window {
  __reference: { renderedAt: number; deliver(lineIndex: number, text: string): void };
}

const COUNT = 10_000;
const list = document.createElement('div');
list.className = 'line-list';
list.style.height = '100vh';
const rows: HTMLElement[] = [];

function cell(cls: string, text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = cls;
  span.textContent = text;
  return span;
}

for (let i = 0; i < COUNT; i++) {
  const row = document.createElement('div');
  row.className = 'line-row';
  row.style.position = 'relative';
  row.dataset.lineId = String(100_000 + i);
  const top = document.createElement('div');
  top.className = 'line-row-top';
  top.append(
    cell('line-customer', `Customer ${i}`),
    cell('busi-tag busi-consult', 'Consultation'),
    cell('line-time', '10:00'),
  );
  const object = document.createElement('div');
  object.className = 'line-object';
  object.textContent = `Hotel · Object ${i}`;
  const middle = document.createElement('div');
  middle.className = 'line-row-middle';
  middle.append(cell('line-preview', `Do you have rooms free on the ${(i % 28) + 1}th? (line ${i})`));
  if (i % 7 === 0) middle.append(cell('unread-badge', '3'));
  const bottom = document.createElement('div');
  bottom.className = 'line-row-bottom';
  if (i % 5 === 0) bottom.append(cell('waiting', 'Waiting 15m'));
  bottom.append(cell('assignee', i % 2 === 0 ? 'Li Na' : 'Wang Wei'), cell('status status-open', 'Open'));
  row.append(top, object, middle, bottom);
  rows.push(row);
  list.append(row);
}
document.body.append(list);

(window as unknown as ReferenceWindow).__reference = {
  renderedAt: performance.now(),
  deliver(lineIndex, text) {
    const row = rows[lineIndex]!;
    row.querySelector('.line-preview')!.textContent = text;
    list.prepend(row);
  },
};
