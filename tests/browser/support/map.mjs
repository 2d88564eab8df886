// Acting on the Leaflet map as a person would: zooming with the wheel, clicking or pointing at a drawn road or district.

import assert from 'node:assert/strict';

/** A point of an SVG path where it is the topmost element (a sensor marker may sit on a road). */
async function visiblePointOf(page, selector) {
  const point = await page.evaluate((sel) => {
    const path = document.querySelector(sel);
    const length = path.getTotalLength();
    const matrix = path.getScreenCTM();
    for (const share of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9]) {
      const p = path.getPointAtLength(length * share);
      const x = matrix.a * p.x + matrix.c * p.y + matrix.e;
      const y = matrix.b * p.x + matrix.d * p.y + matrix.f;
      if (document.elementFromPoint(x, y) === path) return { x, y };
    }
    return null;
  }, selector);
  assert.ok(point, `no visible point on ${selector}`);
  return point;
}

/** Clicks an SVG path where it is the topmost element. */
export async function clickPath(page, selector) {
  const point = await visiblePointOf(page, selector);
  await page.mouse.click(point.x, point.y);
}

/** Moves the mouse onto an SVG path, as a person pointing at a road to see its tooltip. */
export async function hoverPath(page, selector) {
  const point = await visiblePointOf(page, selector);
  await page.mouse.move(point.x - 20, point.y - 20);
  await page.mouse.move(point.x, point.y, { steps: 4 });
}

/** Zooms the map in around an element with the mouse wheel, as a person would. */
export async function zoomInAt(page, selector, steps = 2) {
  for (let i = 0; i < steps; i++) {
    const box = await page.locator(selector).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(400);
  }
}
