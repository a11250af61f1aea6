import { Controller, Get, Post } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Public } from './auth.decorators';
import {
  AnyAuthenticatedUser,
  permissionsFor,
  RequirePermissions,
  routesWithoutDeclaration,
} from './route-permissions';

@Controller('declared')
class DeclaredController {
  @Get('a')
  @RequirePermissions('view-l-room')
  a() {}

  @Get('b')
  @AnyAuthenticatedUser()
  b() {}

  @Post('c')
  @Public()
  c() {}

  /** Not a route: needs no declaration. */
  helper() {}
}

@Public()
@Controller('public')
class PublicController {
  @Get()
  all() {}
}

@Controller('forgot')
class ForgetfulController {
  @Get('ok')
  @RequirePermissions('view-l-room')
  ok() {}

  @Post('forgotten')
  forgotten() {}
}

async function undeclaredIn(...controllers: (new () => object)[]): Promise<string[]> {
  const module = await Test.createTestingModule({ imports: [DiscoveryModule], controllers }).compile();
  return routesWithoutDeclaration(
    module.get(DiscoveryService),
    module.get(MetadataScanner),
    module.get(Reflector),
  );
}

describe('routesWithoutDeclaration', () => {
  it('accepts routes that declare permissions, any authenticated user, or public', async () => {
    expect(await undeclaredIn(DeclaredController, PublicController)).toEqual([]);
  });

  it('names each route that declares nothing', async () => {
    expect(await undeclaredIn(DeclaredController, ForgetfulController)).toEqual([
      'ForgetfulController.forgotten',
    ]);
  });
});

describe('permissionsFor', () => {
  const byType = {
    byParam: 'type',
    anyOf: { agent: ['manage-livechat-agents'], manager: ['manage-livechat-managers'] },
  } as const;

  it('reads a list as is, and a by-parameter rule by the value', () => {
    expect(permissionsFor({ anyOf: ['view-l-room'] }, {})).toEqual(['view-l-room']);
    expect(permissionsFor(byType, { type: 'manager' })).toEqual(['manage-livechat-managers']);
  });

  it('answers null (no such route) for an unlisted value without a fallback', () => {
    expect(permissionsFor(byType, { type: 'visitor' })).toBeNull();
    expect(permissionsFor(byType, { type: 'constructor' })).toBeNull();
    expect(permissionsFor({ ...byType, otherwise: ['view-l-room'] }, { type: 'x' })).toEqual([
      'view-l-room',
    ]);
  });
});
