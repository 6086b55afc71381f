import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, type Type } from '@nestjs/common';
import type { EntityDefinition } from '@tollgate/config';
import type { Request } from 'express';
import type { ParsedBody } from '../admin/admin-body-parser';
import { EntitiesService, type NestedScope } from './entities.service';
import { ENTITY_HOMES, findAdminEntity } from './entity-registry';

function body(req: Request): ParsedBody {
  return req.adminBody ?? { body: {}, fromForm: false };
}

function className(path: string): string {
  return path.replace(/(^|[-_/:{}])+(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/\W/g, '') + 'Controller';
}

/** `/services`, `/services/{id|name}`: Kong's CRUD shape for one collection. */
function collectionController(def: EntityDefinition): Type<unknown> {
  @Controller(def.adminPath)
  class CollectionController {
    constructor(@Inject(EntitiesService) private readonly entities: EntitiesService) {}

    @Get()
    list(@Query() query: Record<string, unknown>, @Req() req: Request) {
      return this.entities.list(def, query, req.path);
    }

    @Post()
    create(@Req() req: Request) {
      return this.entities.create(def, body(req));
    }

    @Get(':key')
    get(@Param('key') key: string) {
      return this.entities.get(def, key);
    }

    @Put(':key')
    upsert(@Param('key') key: string, @Req() req: Request) {
      return this.entities.upsert(def, key, body(req));
    }

    @Patch(':key')
    patch(@Param('key') key: string, @Req() req: Request) {
      return this.entities.patch(def, key, body(req));
    }

    @Delete(':key')
    @HttpCode(204)
    async remove(@Param('key') key: string) {
      await this.entities.delete(def, key);
    }
  }
  Object.defineProperty(CollectionController, 'name', { value: className(def.adminPath) });
  return CollectionController;
}

/** `/services/{s}/routes[/{r}]`: the children of one parent, created already pointing at it. */
function nestedController(parent: EntityDefinition, child: EntityDefinition, field: string): Type<unknown> {
  const scope = (parentKey: string): NestedScope => ({ parent, parentKey, field });

  @Controller(`${parent.adminPath}/:parentKey/${child.nestedPath}`)
  class NestedController {
    constructor(@Inject(EntitiesService) private readonly entities: EntitiesService) {}

    @Get()
    list(@Param('parentKey') parentKey: string, @Query() query: Record<string, unknown>, @Req() req: Request) {
      return this.entities.list(child, query, req.path, scope(parentKey));
    }

    @Post()
    create(@Param('parentKey') parentKey: string, @Req() req: Request) {
      return this.entities.create(child, body(req), scope(parentKey));
    }

    @Get(':key')
    get(@Param('parentKey') parentKey: string, @Param('key') key: string) {
      return this.entities.get(child, key, scope(parentKey));
    }

    @Put(':key')
    upsert(@Param('parentKey') parentKey: string, @Param('key') key: string, @Req() req: Request) {
      return this.entities.upsert(child, key, body(req), scope(parentKey));
    }

    @Patch(':key')
    patch(@Param('parentKey') parentKey: string, @Param('key') key: string, @Req() req: Request) {
      return this.entities.patch(child, key, body(req), scope(parentKey));
    }

    @Delete(':key')
    @HttpCode(204)
    async remove(@Param('parentKey') parentKey: string, @Param('key') key: string) {
      await this.entities.delete(child, key, scope(parentKey));
    }
  }
  Object.defineProperty(NestedController, 'name', { value: className(`${parent.adminPath}-${child.nestedPath}`) });
  return NestedController;
}

/** `/routes/{r}/service`: the entity a child points at, read and written through the child (Kong). */
function parentController(child: EntityDefinition, parent: EntityDefinition, field: string): Type<unknown> {
  @Controller(`${child.adminPath}/:childKey/${field}`)
  class ParentController {
    constructor(@Inject(EntitiesService) private readonly entities: EntitiesService) {}

    @Get()
    get(@Param('childKey') childKey: string) {
      return this.entities.getReferenced(child, childKey, field, parent);
    }

    @Patch()
    patch(@Param('childKey') childKey: string, @Req() req: Request) {
      return this.entities.patchReferenced(child, childKey, field, parent, body(req));
    }

    @Put()
    upsert(@Param('childKey') childKey: string, @Req() req: Request) {
      return this.entities.upsertReferenced(child, childKey, field, parent, body(req));
    }

    @Delete()
    remove(@Param('childKey') childKey: string) {
      return this.entities.deleteReferenced(child, childKey, field);
    }
  }
  Object.defineProperty(ParentController, 'name', { value: className(`${child.adminPath}-${field}`) });
  return ParentController;
}

/** Every entity controller, nested paths before top-level ones so `:key` never swallows them. */
export function entityControllers(): Type<unknown>[] {
  const nested: Type<unknown>[] = [];
  const parents: Type<unknown>[] = [];
  const generic = ENTITY_HOMES.filter((home) => home.crud === 'generic').map((home) => home.definition);
  for (const child of generic) {
    for (const [field, schema] of Object.entries(child.fields)) {
      if (schema.type !== 'foreign' || schema.nested === false) continue;
      const parent = findAdminEntity(schema.reference!)!;
      nested.push(nestedController(parent, child, field));
      if (child.topLevel) parents.push(parentController(child, parent, field));
    }
  }
  const top = generic.filter((def) => def.topLevel).map(collectionController);
  return [...nested, ...parents, ...top];
}
