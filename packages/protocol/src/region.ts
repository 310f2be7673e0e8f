// Only a value shaped like a real region may reach a hostname or a credential scope: anything else could point a
// signed request elsewhere.
const REGION_SHAPE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function isRegion(value: string): boolean {
  return REGION_SHAPE.test(value);
}
