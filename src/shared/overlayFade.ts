/**
 * The lowest share of an overlay's range that fades in from transparent, so that an image shows where its map is
 * low instead of under the colour scale's darkest colour: the panels' overlays (webview/draw/colorScale.ts) and the
 * hover's thumbnails (src/hover/heatmapOverlay.ts) alike.
 */
export const OVERLAY_FADE = 0.5;
