// Generated from the server's OpenAPI document by `npm run web:types`. Do not edit.

export interface paths {
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit log of API writes, newest first */
        get: {
            parameters: {
                query?: {
                    action?: string;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                };
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
                        "application/json": components["schemas"]["AuditPage"];
                    };
                };
                /** @description Default Response */
                400: {
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
    "/api/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List and search jobs: live first (newest first), then finished (newest finished first) */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description live jobs created at or after, finished jobs finished at or after */
                    from?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                    /** @description JSON object the payload must contain, e.g. {"order":{"id":7}}; searched in bounded scans (see docs) */
                    payload?: string;
                    priority?: "urgent" | "high" | "normal" | "low";
                    queue?: string;
                    /** @description state, or several comma-separated: available, scheduled, running, completed, dead, cancelled */
                    state?: string;
                    tenant?: string;
                    /** @description live jobs created before, finished jobs finished before */
                    to?: string;
                };
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
                        "application/json": components["schemas"]["JobPage"];
                    };
                };
                /** @description Default Response */
                400: {
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
        /** Enqueue one job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["EnqueueRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EnqueueResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job: payload, result, attempts, errors, logs, progress */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
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
                        "application/json": components["schemas"]["JobDetail"];
                    };
                };
                /** @description Default Response */
                404: {
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
        /** Delete a job (live or finished) and its logs */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
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
                        "application/json": components["schemas"]["Count"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a waiting job, or stop a running one (its ctx.signal aborts; it ends cancelled) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
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
                        "application/json": {
                            cancelRequested: boolean;
                            id: string;
                            /** @enum {string} */
                            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a dead or cancelled job now, with fresh attempts */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
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
                        "application/json": {
                            cancelRequested: boolean;
                            id: string;
                            /** @enum {string} */
                            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enqueue many jobs of one queue (all or nothing) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        items: {
                            dedupKey?: string;
                            delayMs?: number;
                            maxAttempts?: number;
                            payload: components["schemas"]["schema0"];
                            /** @enum {string} */
                            priority?: "urgent" | "high" | "normal" | "low";
                            /**
                             * Format: date-time
                             * @description ISO 8601 time
                             */
                            runAt?: string;
                            tenant?: string;
                            timeoutMs?: number;
                        }[];
                        queue: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["EnqueueResult"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/bulk/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel every job matching a filter (dryRun: only count them) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["BulkRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            count: number;
                            dryRun: boolean;
                            requested?: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/bulk/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete every job matching a filter (dryRun: only count them) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["BulkRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            count: number;
                            dryRun: boolean;
                            requested?: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/bulk/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry every job matching a filter (dryRun: only count them) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["BulkRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            count: number;
                            dryRun: boolean;
                            requested?: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
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
    "/api/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API tokens (never their secrets) */
        get: {
            parameters: {
                query?: {
                    /** @description include revoked tokens */
                    all?: "true" | "false";
                };
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
                        "application/json": {
                            items: components["schemas"]["Token"][];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a token; the secret is in this reply only */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description ISO 8601 time
                         */
                        expiresAt?: string;
                        name: string;
                        /** @enum {string} */
                        role: "admin" | "operator" | "viewer";
                        /** @description scope the token to one tenant */
                        tenant?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            secret: string;
                            token: components["schemas"]["Token"];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token (by id or name) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
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
                        "application/json": components["schemas"]["Token"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AuditEntry: {
            action: string;
            actor: string;
            at: string;
            count: number | null;
            filter: components["schemas"]["schema1"] | null;
            id: string;
            target: string | null;
            tenant: string | null;
        };
        AuditEntryInput: {
            action: string;
            actor: string;
            at: string;
            count: number | null;
            filter: components["schemas"]["schema1"] | null;
            id: string;
            target: string | null;
            tenant: string | null;
        };
        AuditPage: {
            items: components["schemas"]["AuditEntry"][];
            nextCursor: string | null;
        };
        AuditPageInput: {
            items: components["schemas"]["AuditEntryInput"][];
            nextCursor: string | null;
        };
        BulkRequest: {
            dryRun?: boolean;
            filter: components["schemas"]["JobFilter"];
        };
        BulkRequestInput: {
            dryRun?: boolean;
            filter: components["schemas"]["JobFilterInput"];
        };
        Count: {
            count: number;
        };
        CountInput: {
            count: number;
        };
        EnqueueRequest: {
            dedupKey?: string;
            delayMs?: number;
            maxAttempts?: number;
            payload: components["schemas"]["schema0"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue: string;
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            runAt?: string;
            tenant?: string;
            timeoutMs?: number;
        };
        EnqueueRequestInput: {
            dedupKey?: string;
            delayMs?: number;
            maxAttempts?: number;
            payload: components["schemas"]["schema0"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue: string;
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            runAt?: string;
            tenant?: string;
            timeoutMs?: number;
        };
        EnqueueResult: {
            deduplicated: boolean;
            id: string;
        };
        EnqueueResultInput: {
            deduplicated: boolean;
            id: string;
        };
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
        JobDetail: {
            attempt: number;
            attempts: {
                attempt: number;
                endedAt: string;
                error: {
                    at?: string;
                    attempt?: number;
                    message: string;
                    name?: string;
                    stack?: string;
                } | null;
                outcome: string;
                startedAt: string | null;
                worker: string | null;
            }[];
            cancelRequestedAt: string | null;
            createdAt: string;
            dedupKey: string | null;
            errors: {
                at?: string;
                attempt?: number;
                message: string;
                name?: string;
                stack?: string;
            }[];
            finishedAt: string | null;
            id: string;
            /** @description worker running it */
            lockedBy: string | null;
            logs: {
                at: string;
                data?: components["schemas"]["schema0"];
                level: string;
                msg: string;
            }[];
            maxAttempts: number;
            payload: components["schemas"]["schema0"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            progress: components["schemas"]["schema0"] | null;
            queue: string;
            result: components["schemas"]["schema0"] | null;
            runAt: string;
            startedAt: string | null;
            /** @enum {string} */
            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
            tenant: string;
            timeoutMs: number | null;
        };
        JobDetailInput: {
            attempt: number;
            attempts: {
                attempt: number;
                endedAt: string;
                error: {
                    at?: string;
                    attempt?: number;
                    message: string;
                    name?: string;
                    stack?: string;
                } | null;
                outcome: string;
                startedAt: string | null;
                worker: string | null;
            }[];
            cancelRequestedAt: string | null;
            createdAt: string;
            dedupKey: string | null;
            errors: {
                at?: string;
                attempt?: number;
                message: string;
                name?: string;
                stack?: string;
            }[];
            finishedAt: string | null;
            id: string;
            /** @description worker running it */
            lockedBy: string | null;
            logs: {
                at: string;
                data?: components["schemas"]["schema0"];
                level: string;
                msg: string;
            }[];
            maxAttempts: number;
            payload: components["schemas"]["schema0"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            progress: components["schemas"]["schema0"] | null;
            queue: string;
            result: components["schemas"]["schema0"] | null;
            runAt: string;
            startedAt: string | null;
            /** @enum {string} */
            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
            tenant: string;
            timeoutMs: number | null;
        };
        JobFilter: {
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            from?: string;
            /** @description a JSON object the payload must contain (payload @> fragment) */
            payload?: {
                [key: string]: components["schemas"]["schema0"];
            };
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue?: string;
            /** @description one state, or several */
            state?: ("available" | "scheduled" | "running" | "completed" | "dead" | "cancelled") | ("available" | "scheduled" | "running" | "completed" | "dead" | "cancelled")[];
            tenant?: string;
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            to?: string;
        };
        JobFilterInput: {
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            from?: string;
            /** @description a JSON object the payload must contain (payload @> fragment) */
            payload?: {
                [key: string]: components["schemas"]["schema0"];
            };
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue?: string;
            /** @description one state, or several */
            state?: ("available" | "scheduled" | "running" | "completed" | "dead" | "cancelled") | ("available" | "scheduled" | "running" | "completed" | "dead" | "cancelled")[];
            tenant?: string;
            /**
             * Format: date-time
             * @description ISO 8601 time
             */
            to?: string;
        };
        JobPage: {
            items: components["schemas"]["JobSummary"][];
            nextCursor: string | null;
        };
        JobPageInput: {
            items: components["schemas"]["JobSummaryInput"][];
            nextCursor: string | null;
        };
        JobSummary: {
            attempt: number;
            createdAt: string;
            finishedAt: string | null;
            id: string;
            /** @description worker running it */
            lockedBy: string | null;
            maxAttempts: number;
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            queue: string;
            runAt: string;
            startedAt: string | null;
            /** @enum {string} */
            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
            tenant: string;
        };
        JobSummaryInput: {
            attempt: number;
            createdAt: string;
            finishedAt: string | null;
            id: string;
            /** @description worker running it */
            lockedBy: string | null;
            maxAttempts: number;
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            queue: string;
            runAt: string;
            startedAt: string | null;
            /** @enum {string} */
            state: "available" | "scheduled" | "running" | "completed" | "dead" | "cancelled";
            tenant: string;
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
        Ok: {
            ok: boolean;
        };
        OkInput: {
            ok: boolean;
        };
        schema0: string | number | boolean | null | components["schemas"]["schema0"][] | {
            [key: string]: components["schemas"]["schema0"];
        };
        schema1: string | number | boolean | null | components["schemas"]["schema1"][] | {
            [key: string]: components["schemas"]["schema1"];
        };
        Token: {
            createdAt: string;
            expiresAt: string | null;
            id: string;
            lastUsedAt: string | null;
            name: string;
            revokedAt: string | null;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
            tenant: string | null;
        };
        TokenInput: {
            createdAt: string;
            expiresAt: string | null;
            id: string;
            lastUsedAt: string | null;
            name: string;
            revokedAt: string | null;
            /** @enum {string} */
            role: "admin" | "operator" | "viewer";
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
