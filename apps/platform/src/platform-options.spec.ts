import { parsePlatformOptions } from './platform-options';

describe('parsePlatformOptions', () => {
  it("is today's single-region platform with no arguments", () => {
    expect(parsePlatformOptions([])).toEqual({ regions: null, controlPlanes: 1, portOffset: 0 });
  });

  it('runs two control-plane replicas when regions are given, unless told otherwise', () => {
    expect(parsePlatformOptions(['--regions', 'eu,us'])).toEqual({ regions: ['eu', 'us'], controlPlanes: 2, portOffset: 0 });
    expect(parsePlatformOptions(['--regions=eu', '--control-planes=3', '--port-offset', '1000'])).toEqual({ regions: ['eu'], controlPlanes: 3, portOffset: 1000 });
  });

  it.each([
    [['--regions', 'EU'], "--regions: 'EU' is not a region name"],
    [['--regions', 'eu,eu'], '--regions: a region is named twice'],
    [['--regions'], "--regions: '' is not a region name"],
    [['--control-planes', '0'], "--control-planes: expected a whole number from 1 to 9, got '0'"],
    [['--port-offset', '-1'], "--port-offset: expected a whole number from 0 to 50000, got '-1'"],
    [['--region', 'eu'], "unknown argument '--region'"],
  ])('refuses %j naming what was wrong', (argv, message) => {
    expect(() => parsePlatformOptions(argv)).toThrow(message);
  });
});
