// Validates an OpenAPI document (a file path) with @apidevtools/swagger-parser;
// prints the errors and exits 1 when it is invalid.
import SwaggerParser from "@apidevtools/swagger-parser";

const path = process.argv[2];
try {
  const api = await SwaggerParser.validate(path);
  console.log(`valid: OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
