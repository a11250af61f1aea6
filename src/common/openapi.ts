import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI extension on operations that need no auth headers; documented with `security: []`. */
export const OPENAPI_PUBLIC_MARKER = 'x-public';

const ERROR_RESPONSES: Record<string, string> = {
  '400':
    'Invalid input or business rule: `{ success: false, error: "<message> [<code>]", errorType, details? }`',
  '401': 'Not authenticated: `{ success: false, status: "error", message, error }`',
  '403': 'Lacks permission: `errorType: "error-unauthorized"`',
  '429': 'Rate limited: `errorType: "error-too-many-requests"`, with `Retry-After`',
  '503': 'Database unreachable: `errorType: "error-database-unavailable"`, with `Retry-After`',
  '500': 'Unexpected: `{ success: false, error: "Internal server error" }`',
};

/** The OpenAPI 3 document, with both auth headers and the error envelopes on every operation. */
function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Omnichannel Departments API')
    .setDescription(
      'Rocket.Chat-compatible livechat departments. Authenticate with POST /api/v1/login, then send X-User-Id and X-Auth-Token.',
    )
    .setVersion(version)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-User-Id' }, 'userId')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Auth-Token' }, 'authToken')
    .addSecurityRequirements('userId')
    .addSecurityRequirements('authToken')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ErrorEnvelope: {
        type: 'object',
        required: ['success', 'error'],
        properties: {
          success: { type: 'boolean', enum: [false] },
          error: { type: 'string' },
          errorType: { type: 'string' },
          details: { type: 'object' },
        },
      },
    },
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const extensions = operation as Record<string, unknown>;
      if (extensions[OPENAPI_PUBLIC_MARKER]) {
        operation.security = [];
        delete extensions[OPENAPI_PUBLIC_MARKER];
      }
      for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
        operation.responses[status] ??= {
          description,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
          },
        };
      }
    }
  }
  return document;
}

/** Serves the document and its UI; the document is built on the first request, not at start. */
export function setupOpenApi(app: INestApplication, version: string): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app, version), {
    jsonDocumentUrl: 'api/docs-json',
  });
}
