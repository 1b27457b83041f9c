/**
 * The probe report's reading under each figure (src/shared/probeReadings.ts) and its link to the section of
 * docs/methods.md that explains the probe: in a VS Code panel the extension opens its copy of the page at that
 * heading; a standalone report links to the page where mmlens wrote it (ProbeReportData.methodsDoc).
 */
import { headingAnchor, METHODS_DOC, type MethodsSection, type ProbeReading } from '../src/shared/probeReadings';
import { el } from './draw/dom';

/** Where the links go: a URL of docs/methods.md, and in a panel the host's way to open a section. */
export interface MethodsLinks {
  href?: string;
  open?: (section: MethodsSection) => void;
}

/** `reading` as a paragraph ending in its docs link. */
export function readingLine(reading: ProbeReading, links: MethodsLinks): HTMLElement {
  const line = el('p', 'note probe-reading', `${reading.text} `);
  const title = reading.section.replace(/`/g, '');
  const link = el('a', 'methods-link', `${METHODS_DOC}: ${title}`);
  link.href = `${links.href ?? METHODS_DOC}#${headingAnchor(reading.section)}`;
  link.setAttribute('aria-label', `How to read this figure: ${title}, in ${METHODS_DOC}`);
  const open = links.open;
  if (open) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      open(reading.section);
    });
  }
  line.append(link);
  return line;
}

/** `section` with `reading`'s line appended, when there is one. */
export function withReading(section: HTMLElement, reading: ProbeReading | undefined, links: MethodsLinks): HTMLElement {
  if (reading) section.append(readingLine(reading, links));
  return section;
}
