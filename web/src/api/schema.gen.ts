// Generated from the server's OpenAPI document by `npm run web:types`. Do not edit.

export interface paths {
    "/api/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the presented token is */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            /** @description machine-readable code, e.g. invalid, not_found, unauthorized, forbidden */
            error: string;
            /** @description the request field at fault: a body path (items.3.queue), a query or path parameter, or body / content-type */
            field?: string;
            message: string;
        };
        ErrorInput: {
            /** @description machine-readable code, e.g. invalid, not_found, unauthorized, forbidden */
            error: string;
            /** @description the request field at fault: a body path (items.3.queue), a query or path parameter, or body / content-type */
            field?: string;
            message: string;
        };
        Me: {
            name: string;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
            /** @description set for a tenant-scoped token: it sees only this tenant */
            tenant: string | null;
        };
        MeInput: {
            name: string;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
            /** @description set for a tenant-scoped token: it sees only this tenant */
            tenant: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
