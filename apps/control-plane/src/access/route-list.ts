import type { INestApplication } from '@nestjs/common';

export interface AdminRoute {
  readonly method: string;
  /** Express's pattern: `/services/:key`. */
  readonly path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the admin API serves, read from Express's router (the source the access table is checked against). */
export function listAdminRoutes(app: INestApplication): AdminRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const routes: AdminRoute[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path: layer.route.path });
    }
  }
  return routes;
}
