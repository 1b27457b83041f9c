/**
 * The modality-gap picture: the image and text embeddings projected on their two principal axes, in SVG with
 * d3. Images are circles and texts squares (shape as well as colour tells them apart), each matching pair joined
 * by a faint line; both axes share one scale, so distances on the page are distances in the projection.
 */
import { axisBottom, axisLeft, format, scaleLinear, select } from 'd3';
import { el } from './dom';
import { recordFigure } from './figureData';

/** The projected clouds: point i of `images` and of `texts` belong to pair i, joined when `linked[i]` (a matching pair). */
export interface PcaPoints {
  images: [number, number][];
  texts: [number, number][];
  linked: boolean[];
  imageLabels: string[];
  textLabels: string[];
  explainedVarianceRatio: [number, number];
}

const SIZE = 380;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 40 };
/** Okabe-Ito orange and sky blue: told apart with every common colour-vision deficiency, on dark and light themes. */
export const IMAGE_COLOUR = '#e69f00';
/** The texts' colour (see IMAGE_COLOUR). */
export const TEXT_COLOUR = '#56b4e9';

/** Appends the scatter plot with its legend to `container`. */
export function drawPcaScatter(container: HTMLElement, points: PcaPoints): HTMLElement {
  const figure = el('figure', 'pca-scatter');
  const all = [...points.images, ...points.texts];
  const [cx, cy] = [0, 1].map((axis) => (Math.min(...all.map((p) => p[axis])) + Math.max(...all.map((p) => p[axis]))) / 2);
  const half = Math.max(1e-9, ...all.map((p) => Math.max(Math.abs(p[0] - cx), Math.abs(p[1] - cy)))) * 1.08;
  const plot = SIZE - MARGIN.left - MARGIN.right;
  const x = scaleLinear().domain([cx - half, cx + half]).range([MARGIN.left, MARGIN.left + plot]);
  const y = scaleLinear().domain([cy - half, cy + half]).range([MARGIN.top + plot, MARGIN.top]);
  const percent = format('.0%');
  const svg = select(figure).append('svg').attr('width', SIZE).attr('height', MARGIN.top + plot + MARGIN.bottom).attr('role', 'img')
    .attr('aria-label', `PCA of ${points.images.length} image and ${points.texts.length} text embeddings; axes explain ${percent(points.explainedVarianceRatio[0])} and ${percent(points.explainedVarianceRatio[1])} of the variance`);
  recordFigure(svg.node()!, { kind: 'scatter', points });
  svg.append('g').attr('transform', `translate(0, ${MARGIN.top + plot})`).call(axisBottom(x).ticks(5));
  svg.append('g').attr('transform', `translate(${MARGIN.left}, 0)`).call(axisLeft(y).ticks(5));
  svg.append('text').attr('class', 'axis-label').attr('x', MARGIN.left + plot / 2).attr('y', MARGIN.top + plot + 34).attr('text-anchor', 'middle').text(`PC1 (${percent(points.explainedVarianceRatio[0])} of variance)`);
  svg.append('text').attr('class', 'axis-label').attr('transform', `translate(12, ${MARGIN.top + plot / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(`PC2 (${percent(points.explainedVarianceRatio[1])})`);
  const links = points.images.flatMap((image, i) => (points.linked[i] ? [{ image, text: points.texts[i] }] : []));
  svg.append('g').selectAll('line').data(links).join('line').attr('class', 'pair-link')
    .attr('x1', (d) => x(d.image[0])).attr('y1', (d) => y(d.image[1])).attr('x2', (d) => x(d.text[0])).attr('y2', (d) => y(d.text[1]));
  svg.append('g').selectAll('circle').data(points.images).join('circle').attr('r', 4).attr('fill', IMAGE_COLOUR)
    .attr('cx', (p) => x(p[0])).attr('cy', (p) => y(p[1])).append('title').text((_, i) => `image: ${points.imageLabels[i]}`);
  svg.append('g').selectAll('rect').data(points.texts).join('rect').attr('width', 7).attr('height', 7).attr('fill', TEXT_COLOUR)
    .attr('x', (p) => x(p[0]) - 3.5).attr('y', (p) => y(p[1]) - 3.5).append('title').text((_, i) => `text: ${points.textLabels[i]}`);
  const legend = el('p', 'pca-legend');
  const key = (shape: string, colour: string, label: string) => {
    const swatch = el('span', `pca-key pca-key-${shape}`);
    swatch.style.background = colour;
    swatch.setAttribute('aria-hidden', 'true');
    legend.append(swatch, el('span', undefined, label));
  };
  key('circle', IMAGE_COLOUR, 'images');
  key('square', TEXT_COLOUR, 'texts (lines join the matching pairs)');
  figure.append(legend);
  container.append(figure);
  return figure;
}
