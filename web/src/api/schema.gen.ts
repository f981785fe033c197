// Generated from the server's OpenAPI document by `npm run web:types`. Do not edit.

export interface paths {
    "/api/alert-rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
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
                        "application/json": {
                            items: {
                                defaults: {
                                    [key: string]: number;
                                };
                                description: string;
                                enabled: boolean;
                                rule: string;
                                /** @enum {string} */
                                scope: "cluster" | "process";
                                thresholds: {
                                    [key: string]: number;
                                };
                            }[];
                        };
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
    "/api/alert-rules/{rule}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    rule: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        enabled?: boolean;
                        thresholds?: {
                            [key: string]: number;
                        };
                    };
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
                            defaults: {
                                [key: string]: number;
                            };
                            description: string;
                            enabled: boolean;
                            rule: string;
                            /** @enum {string} */
                            scope: "cluster" | "process";
                            thresholds: {
                                [key: string]: number;
                            };
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
        trace?: never;
    };
    "/api/alert-webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
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
                        "application/json": {
                            items: {
                                createdAt: string;
                                enabled: boolean;
                                id: string;
                                /** @enum {string} */
                                minSeverity: "info" | "warning" | "critical";
                                url: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
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
                        /** @enum {string} */
                        minSeverity?: "info" | "warning" | "critical";
                        secret: string;
                        url: string;
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
                            createdAt: string;
                            enabled: boolean;
                            id: string;
                            /** @enum {string} */
                            minSeverity: "info" | "warning" | "critical";
                            url: string;
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
    "/api/alert-webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
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
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
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
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    state?: "active" | "resolved";
                    type?: string;
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
                            items: {
                                count: number;
                                details: {
                                    [key: string]: unknown;
                                };
                                firstSeen: string;
                                id: string | null;
                                lastSeen: string;
                                message: string;
                                resolvedAt: string | null;
                                resolvedBy: string | null;
                                /** @enum {string} */
                                severity: "info" | "warning" | "critical";
                                /** @enum {string} */
                                state: "active" | "resolved";
                                subject: string;
                                type: string;
                            }[];
                            nextCursor: string | null;
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
        put?: never;
        post?: never;
        /** @description Deletes resolved alerts (history) */
        delete: {
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
                        "application/json": {
                            count: number;
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
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
                            count: number;
                            details: {
                                [key: string]: unknown;
                            };
                            firstSeen: string;
                            id: string | null;
                            lastSeen: string;
                            message: string;
                            resolvedAt: string | null;
                            resolvedBy: string | null;
                            /** @enum {string} */
                            severity: "info" | "warning" | "critical";
                            /** @enum {string} */
                            state: "active" | "resolved";
                            subject: string;
                            type: string;
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
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
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
                        type: string;
                    };
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
                        };
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
    "/api/breakers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Circuit breakers */
        get: {
            parameters: {
                query?: {
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
                        "application/json": components["schemas"]["BreakerPage"];
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
    "/api/breakers/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Configure a breaker */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description queue:<queue> or dependency:<name> */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["BreakerSettingsInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Breaker"];
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
        trace?: never;
    };
    "/api/breakers/{name}/close": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Force closed until reset */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description queue:<queue> or dependency:<name> */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Breaker"];
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
    "/api/breakers/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A breaker's state changes and operator actions, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                };
                header?: never;
                path: {
                    /** @description queue:<queue> or dependency:<name> */
                    name: string;
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
                        "application/json": components["schemas"]["BreakerHistoryPage"];
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
    "/api/breakers/{name}/open": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Force open until reset */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description queue:<queue> or dependency:<name> */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Breaker"];
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
    "/api/breakers/{name}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Back to automatic (closed) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description queue:<queue> or dependency:<name> */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Breaker"];
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
    "/api/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** PostgreSQL connection use against max_connections (reserved slots excluded), by application and state; each rota process's pool */
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
                        "application/json": components["schemas"]["Connections"];
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
                            payload: components["schemas"]["JsonValueInput"];
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
    "/api/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Queues with counts (from the claim counters), oldest due job, throughput, settings, pause and breaker */
        get: {
            parameters: {
                query?: {
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
                        "application/json": components["schemas"]["QueuePage"];
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
    "/api/queues/{queue}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One queue */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    queue: string;
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
                        "application/json": components["schemas"]["Queue"];
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
        delete?: never;
        options?: never;
        head?: never;
        /** Configure a queue (omitted keys unchanged, null removes a limit); cluster-wide */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    queue: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["QueueSettingsInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Queue"];
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
        trace?: never;
    };
    "/api/queues/{queue}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a queue in every process (claims take nothing; settings untouched) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    queue: string;
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
                        "application/json": components["schemas"]["Queue"];
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
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queues/{queue}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused queue (workers are woken at once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    queue: string;
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
                        "application/json": components["schemas"]["Queue"];
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
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queues/{queue}/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A queue's tenants: backlog, running, limits, weight, rate-limit state, share of the completed jobs in a window against the fair share; sorted and paginated */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                    /** @description default desc for backlog/running, asc for name */
                    order?: "asc" | "desc";
                    /** @description tenant name prefix */
                    search?: string;
                    /** @description completed: completedInWindow (unknown last) */
                    sort?: "backlog" | "running" | "completed" | "name";
                    /** @description window of completedInWindow and share: the current minute and the 5, 15, 60 or 360 whole minutes before it (at most 6 h: the cost grows with the rollup rows read) */
                    window?: "5m" | "15m" | "1h" | "6h";
                };
                header?: never;
                path: {
                    queue: string;
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
                        "application/json": components["schemas"]["TenantPage"];
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
    "/api/queues/{queue}/tenants/{tenant}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Configure a tenant in a queue (weight, concurrency, rate) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    queue: string;
                    tenant: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TenantSettingsInput"];
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
                            concurrency: number | null;
                            rate: {
                                burst: number;
                                limit: number;
                                periodMs: number;
                            } | null;
                            tenant: string;
                            weight: number;
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
        trace?: never;
    };
    "/api/scheduler": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The schedulers: paused, lag, last evaluation, the processes evaluating */
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
                        "application/json": components["schemas"]["SchedulerState"];
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
    "/api/scheduler/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause every scheduler process at once */
        post: {
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
                        "application/json": components["schemas"]["SchedulerState"];
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
    "/api/scheduler/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume every scheduler process at once */
        post: {
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
                        "application/json": components["schemas"]["SchedulerState"];
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
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Schedules with their status (last and next run, success rate, durations, missed ticks) */
        get: {
            parameters: {
                query?: {
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
                        "application/json": components["schemas"]["SchedulePage"];
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
        /** Create or replace a schedule */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateScheduleInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
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
    "/api/schedules/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a schedule and its history */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
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
                            count: number;
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
            };
        };
        options?: never;
        head?: never;
        /** Change some of a schedule’s fields */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateScheduleInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
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
        trace?: never;
    };
    "/api/schedules/{name}/cycles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A schedule's cycles, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                };
                header?: never;
                path: {
                    name: string;
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
                        "application/json": components["schemas"]["CyclePage"];
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
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{name}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a schedule */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
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
                        "application/json": components["schemas"]["Schedule"];
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
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{name}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable a schedule */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
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
                        "application/json": components["schemas"]["Schedule"];
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
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{name}/trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a schedule now (a manual cycle; its next tick is unchanged) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
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
                            jobId: string;
                            schedule: string;
                            tickAt: string;
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
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/timeseries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description default: an hour before `to` */
                    from?: string;
                    queue?: string;
                    stepSec?: number;
                    /** @description default: now */
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
                        "application/json": {
                            points: {
                                completed: number;
                                dead: number;
                                failed: number;
                                rateLimited: number;
                                retried: number;
                                run: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                };
                                snoozed: number;
                                t: string;
                                wait: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                };
                            }[];
                            stepSec: number;
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
                        "application/json": components["schemas"]["TokenPage"];
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
    "/api/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live worker processes (heartbeat within staleMs, default 60 s) */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description page size (1..500) */
                    limit?: number;
                    staleMs?: number;
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
                        "application/json": components["schemas"]["WorkerPage"];
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
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
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
                        "application/json": {
                            checks: {
                                durationMs: number;
                                message: string;
                                name: string;
                                ok: boolean;
                            }[];
                            evaluating: boolean;
                            localAlerts: {
                                message: string;
                                persisted: boolean;
                                severity: string;
                                subject: string;
                                type: string;
                            }[];
                            pool: {
                                idle: number;
                                total: number;
                                waiting: number;
                            };
                            /** @enum {string} */
                            status: "ok" | "fail";
                            worker: string;
                        };
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
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
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
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
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
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
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
                        "application/json": {
                            checks: {
                                durationMs: number;
                                message: string;
                                name: string;
                                ok: boolean;
                            }[];
                            /** @enum {string} */
                            status: "ok" | "fail";
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checks: {
                                durationMs: number;
                                message: string;
                                name: string;
                                ok: boolean;
                            }[];
                            /** @enum {string} */
                            status: "ok" | "fail";
                        };
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
        AuditEntry: {
            action: string;
            actor: string;
            at: string;
            count: number | null;
            filter: components["schemas"]["JsonValue"] | null;
            id: string;
            target: string | null;
            tenant: string | null;
        };
        AuditEntryInput: {
            action: string;
            actor: string;
            at: string;
            count: number | null;
            filter: components["schemas"]["JsonValueInput"] | null;
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
        Breaker: {
            calls: number;
            changedAt: string;
            cooldownMs: number;
            failureRatio: number;
            failures: number;
            forced: ("open" | "closed") | null;
            generation: number;
            /** @enum {string} */
            kind: "queue" | "dependency";
            maxCooldownMs: number;
            minCalls: number;
            name: string;
            openRemainingMs: number | null;
            openUntil: string | null;
            probes: number;
            probesOk: number;
            probesTaken: number;
            probeTimeoutMs: number;
            reason: string | null;
            /** @enum {string} */
            state: "closed" | "open" | "half_open";
            trips: number;
            windowMs: number;
        };
        BreakerHistoryEntry: {
            actor: string;
            at: string;
            calls: number;
            cooldownMs: number | null;
            failures: number;
            from: string;
            id: string;
            /** @enum {string} */
            kind: "queue" | "dependency";
            name: string;
            reason: string;
            to: string;
        };
        BreakerHistoryEntryInput: {
            actor: string;
            at: string;
            calls: number;
            cooldownMs: number | null;
            failures: number;
            from: string;
            id: string;
            /** @enum {string} */
            kind: "queue" | "dependency";
            name: string;
            reason: string;
            to: string;
        };
        BreakerHistoryPage: {
            items: components["schemas"]["BreakerHistoryEntry"][];
            nextCursor: string | null;
        };
        BreakerHistoryPageInput: {
            items: components["schemas"]["BreakerHistoryEntryInput"][];
            nextCursor: string | null;
        };
        BreakerInput: {
            calls: number;
            changedAt: string;
            cooldownMs: number;
            failureRatio: number;
            failures: number;
            forced: ("open" | "closed") | null;
            generation: number;
            /** @enum {string} */
            kind: "queue" | "dependency";
            maxCooldownMs: number;
            minCalls: number;
            name: string;
            openRemainingMs: number | null;
            openUntil: string | null;
            probes: number;
            probesOk: number;
            probesTaken: number;
            probeTimeoutMs: number;
            reason: string | null;
            /** @enum {string} */
            state: "closed" | "open" | "half_open";
            trips: number;
            windowMs: number;
        };
        BreakerPage: {
            items: components["schemas"]["Breaker"][];
            nextCursor: string | null;
        };
        BreakerPageInput: {
            items: components["schemas"]["BreakerInput"][];
            nextCursor: string | null;
        };
        BreakerSettings: {
            cooldownMs?: number;
            failureRatio?: number;
            maxCooldownMs?: number;
            minCalls?: number;
            probes?: number;
            probeTimeoutMs?: number;
            windowMs?: number;
        };
        BreakerSettingsInput: {
            cooldownMs?: number;
            failureRatio?: number;
            maxCooldownMs?: number;
            minCalls?: number;
            probes?: number;
            probeTimeoutMs?: number;
            windowMs?: number;
        };
        BulkRequest: {
            dryRun?: boolean;
            filter: components["schemas"]["JobFilter"];
        };
        BulkRequestInput: {
            dryRun?: boolean;
            filter: components["schemas"]["JobFilterInput"];
        };
        Connections: {
            /** @description maxConnections - reserved - used */
            available: number;
            byApplication: {
                application: string;
                count: number;
                state: string;
            }[];
            maxConnections: number;
            pools: {
                hostname: string;
                pid: number;
                pool: {
                    idle: number;
                    total: number;
                    waiting: number;
                } | null;
                worker: string;
            }[];
            /** @description superuser_reserved_connections + reserved_connections */
            reserved: number;
            used: number;
        };
        ConnectionsInput: {
            /** @description maxConnections - reserved - used */
            available: number;
            byApplication: {
                application: string;
                count: number;
                state: string;
            }[];
            maxConnections: number;
            pools: {
                hostname: string;
                pid: number;
                pool: {
                    idle: number;
                    total: number;
                    waiting: number;
                } | null;
                worker: string;
            }[];
            /** @description superuser_reserved_connections + reserved_connections */
            reserved: number;
            used: number;
        };
        Count: {
            count: number;
        };
        CountInput: {
            count: number;
        };
        CreateSchedule: {
            cron: string;
            enabled?: boolean;
            graceMs?: number;
            jitterMs?: number;
            maxAttempts?: number | null;
            name: string;
            onMissed?: "skip" | {
                catchUp: number;
            };
            payload: components["schemas"]["JsonValue"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue: string;
            tenant?: string;
            timeoutMs?: number | null;
            timeZone?: string;
        };
        CreateScheduleInput: {
            cron: string;
            enabled?: boolean;
            graceMs?: number;
            jitterMs?: number;
            maxAttempts?: number | null;
            name: string;
            onMissed?: "skip" | {
                catchUp: number;
            };
            payload: components["schemas"]["JsonValueInput"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue: string;
            tenant?: string;
            timeoutMs?: number | null;
            timeZone?: string;
        };
        CyclePage: {
            items: components["schemas"]["ScheduleCycle"][];
            nextCursor: string | null;
        };
        CyclePageInput: {
            items: components["schemas"]["ScheduleCycleInput"][];
            nextCursor: string | null;
        };
        EnqueueRequest: {
            dedupKey?: string;
            delayMs?: number;
            maxAttempts?: number;
            payload: components["schemas"]["JsonValue"];
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
            payload: components["schemas"]["JsonValueInput"];
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
                data?: components["schemas"]["JsonValue"];
                level: string;
                msg: string;
            }[];
            maxAttempts: number;
            payload: components["schemas"]["JsonValue"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            progress: components["schemas"]["JsonValue"] | null;
            queue: string;
            result: components["schemas"]["JsonValue"] | null;
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
                data?: components["schemas"]["JsonValueInput"];
                level: string;
                msg: string;
            }[];
            maxAttempts: number;
            payload: components["schemas"]["JsonValueInput"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            progress: components["schemas"]["JsonValueInput"] | null;
            queue: string;
            result: components["schemas"]["JsonValueInput"] | null;
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
                [key: string]: components["schemas"]["JsonValue"];
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
                [key: string]: components["schemas"]["JsonValueInput"];
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
        /** @description any JSON value */
        JsonValue: unknown;
        /** @description any JSON value */
        JsonValueInput: unknown;
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
        Queue: {
            agingMs: number | null;
            /** @description the queue's circuit breaker with its settings (PATCH /api/breakers/queue:<name>); null: none configured */
            breaker: {
                cooldownMs: number;
                failureRatio: number;
                forced: string | null;
                maxCooldownMs: number;
                minCalls: number;
                probes: number;
                probeTimeoutMs: number;
                state: string;
                windowMs: number;
            } | null;
            concurrency: number | null;
            configuredAt: string | null;
            /** @description attempts finished per second, from the live workers' last heartbeats */
            finishedPerSec: number | null;
            heldUntil: string | null;
            oldestReadyAgeMs: number | null;
            paused: boolean;
            queue: string;
            rate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description the queue's stored retry policy; a null part is not set, so the workers' code applies (work()'s retry option, rota's defaultMaxAttempts) */
            retry: {
                baseMs: number | null;
                jitter: number | null;
                maxAttempts: number | null;
                maxMs: number | null;
            };
            running: number;
            tenantConcurrency: number | null;
            tenantRate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description available and scheduled jobs (from the claim counters) */
            waiting: number;
        };
        QueueInput: {
            agingMs: number | null;
            /** @description the queue's circuit breaker with its settings (PATCH /api/breakers/queue:<name>); null: none configured */
            breaker: {
                cooldownMs: number;
                failureRatio: number;
                forced: string | null;
                maxCooldownMs: number;
                minCalls: number;
                probes: number;
                probeTimeoutMs: number;
                state: string;
                windowMs: number;
            } | null;
            concurrency: number | null;
            configuredAt: string | null;
            /** @description attempts finished per second, from the live workers' last heartbeats */
            finishedPerSec: number | null;
            heldUntil: string | null;
            oldestReadyAgeMs: number | null;
            paused: boolean;
            queue: string;
            rate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description the queue's stored retry policy; a null part is not set, so the workers' code applies (work()'s retry option, rota's defaultMaxAttempts) */
            retry: {
                baseMs: number | null;
                jitter: number | null;
                maxAttempts: number | null;
                maxMs: number | null;
            };
            running: number;
            tenantConcurrency: number | null;
            tenantRate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description available and scheduled jobs (from the claim counters) */
            waiting: number;
        };
        QueuePage: {
            items: components["schemas"]["Queue"][];
            nextCursor: string | null;
        };
        QueuePageInput: {
            items: components["schemas"]["QueueInput"][];
            nextCursor: string | null;
        };
        QueueRetrySettings: {
            /** @description delay before the second attempt */
            baseMs?: number | null;
            /** @description fraction of the delay drawn at random */
            jitter?: number | null;
            /** @description for jobs enqueued afterwards without their own maxAttempts */
            maxAttempts?: number | null;
            /** @description cap of any delay (baseMs = maxMs: a fixed delay) */
            maxMs?: number | null;
        };
        QueueRetrySettingsInput: {
            /** @description delay before the second attempt */
            baseMs?: number | null;
            /** @description fraction of the delay drawn at random */
            jitter?: number | null;
            /** @description for jobs enqueued afterwards without their own maxAttempts */
            maxAttempts?: number | null;
            /** @description cap of any delay (baseMs = maxMs: a fixed delay) */
            maxMs?: number | null;
        };
        QueueSettings: {
            agingMs?: number | null;
            concurrency?: number | null;
            rate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description stored retry policy, part by part over the code (omitted parts unchanged, null unsets one; retry: null unsets all). Workers pick a backoff change up within one heartbeat (leaseMs / 3) */
            retry?: components["schemas"]["QueueRetrySettings"] | null;
            tenantConcurrency?: number | null;
            tenantRate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
        };
        QueueSettingsInput: {
            agingMs?: number | null;
            concurrency?: number | null;
            rate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
            /** @description stored retry policy, part by part over the code (omitted parts unchanged, null unsets one; retry: null unsets all). Workers pick a backoff change up within one heartbeat (leaseMs / 3) */
            retry?: components["schemas"]["QueueRetrySettingsInput"] | null;
            tenantConcurrency?: number | null;
            tenantRate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
        };
        Schedule: {
            createdAt: string;
            cron: string;
            enabled: boolean;
            graceMs: number;
            jitterMs: number;
            maxAttempts: number | null;
            name: string;
            nextRunAt: string | null;
            onMissed: "skip" | {
                catchUp: number;
            };
            payload: components["schemas"]["JsonValue"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            queue: string;
            tenant: string;
            timeoutMs: number | null;
            timeZone: string;
            updatedAt: string;
        };
        ScheduleCycle: {
            durationMs: number | null;
            finishedAt: string | null;
            jobId: string | null;
            outcome: ("completed" | "dead" | "cancelled" | "unknown") | null;
            recordedAt: string;
            schedule: string;
            /** @enum {string} */
            source: "cron" | "manual";
            startedAt: string | null;
            /** @enum {string} */
            status: "enqueued" | "caught_up" | "missed";
            tickAt: string;
        };
        ScheduleCycleInput: {
            durationMs: number | null;
            finishedAt: string | null;
            jobId: string | null;
            outcome: ("completed" | "dead" | "cancelled" | "unknown") | null;
            recordedAt: string;
            schedule: string;
            /** @enum {string} */
            source: "cron" | "manual";
            startedAt: string | null;
            /** @enum {string} */
            status: "enqueued" | "caught_up" | "missed";
            tickAt: string;
        };
        ScheduleInput: {
            createdAt: string;
            cron: string;
            enabled: boolean;
            graceMs: number;
            jitterMs: number;
            maxAttempts: number | null;
            name: string;
            nextRunAt: string | null;
            onMissed: "skip" | {
                catchUp: number;
            };
            payload: components["schemas"]["JsonValueInput"];
            /** @enum {string} */
            priority: "urgent" | "high" | "normal" | "low";
            queue: string;
            tenant: string;
            timeoutMs: number | null;
            timeZone: string;
            updatedAt: string;
        };
        SchedulePage: {
            items: {
                createdAt: string;
                cron: string;
                enabled: boolean;
                graceMs: number;
                jitterMs: number;
                maxAttempts: number | null;
                name: string;
                nextRunAt: string | null;
                onMissed: "skip" | {
                    catchUp: number;
                };
                payload: components["schemas"]["JsonValue"];
                /** @enum {string} */
                priority: "urgent" | "high" | "normal" | "low";
                queue: string;
                status: components["schemas"]["ScheduleStatus"] | null;
                tenant: string;
                timeoutMs: number | null;
                timeZone: string;
                updatedAt: string;
            }[];
            nextCursor: string | null;
        };
        SchedulePageInput: {
            items: {
                createdAt: string;
                cron: string;
                enabled: boolean;
                graceMs: number;
                jitterMs: number;
                maxAttempts: number | null;
                name: string;
                nextRunAt: string | null;
                onMissed: "skip" | {
                    catchUp: number;
                };
                payload: components["schemas"]["JsonValueInput"];
                /** @enum {string} */
                priority: "urgent" | "high" | "normal" | "low";
                queue: string;
                status: components["schemas"]["ScheduleStatusInput"] | null;
                tenant: string;
                timeoutMs: number | null;
                timeZone: string;
                updatedAt: string;
            }[];
            nextCursor: string | null;
        };
        SchedulerState: {
            changedAt: string | null;
            enabled: number;
            /** @description processes that claimed schedules to evaluate (rota.workerId), most recent first, at most 20 */
            evaluators: {
                claimed: number;
                lastClaimAt: string;
                workerId: string;
            }[];
            /** @description how late the most overdue enabled schedule is */
            lagMs: number;
            lastEvaluationAt: string | null;
            paused: boolean;
            schedules: number;
        };
        SchedulerStateInput: {
            changedAt: string | null;
            enabled: number;
            /** @description processes that claimed schedules to evaluate (rota.workerId), most recent first, at most 20 */
            evaluators: {
                claimed: number;
                lastClaimAt: string;
                workerId: string;
            }[];
            /** @description how late the most overdue enabled schedule is */
            lagMs: number;
            lastEvaluationAt: string | null;
            paused: boolean;
            schedules: number;
        };
        ScheduleStatus: {
            lastMissedAt: string | null;
            lastRun: components["schemas"]["ScheduleCycle"] | null;
            meanDurationMs: number | null;
            missedTotal: number;
            name: string;
            nextRunAt: string | null;
            p95DurationMs: number | null;
            successRate: number | null;
        };
        ScheduleStatusInput: {
            lastMissedAt: string | null;
            lastRun: components["schemas"]["ScheduleCycleInput"] | null;
            meanDurationMs: number | null;
            missedTotal: number;
            name: string;
            nextRunAt: string | null;
            p95DurationMs: number | null;
            successRate: number | null;
        };
        Tenant: {
            /** @description jobs waiting, due or delayed (from the claim counters) */
            backlog: number;
            /** @description true when every rollup row of the window that summed tenants into "other" listed this tenant: completedInWindow is exact, else a lower bound */
            completedExact: boolean;
            /** @description jobs of this tenant completed in the window, from the per-minute rollups. Each rollup row (queue, minute, worker process) lists its top-N tenants (monitor.topTenants) and sums the rest as "other": this is the sum over the rows that listed the tenant; 0 when no row listed it and no row summed any tenant into "other"; null when the tenant was not among the top-N of any row of the window while some row summed tenants into "other" (unknown, not zero). Rollups are written with each worker heartbeat, so the last seconds may be missing */
            completedInWindow: number | null;
            concurrency: number | null;
            configuredAt: string | null;
            /** @description weight / the sum of the weights of the queue's tenants with a backlog now (all of them, not only this page): the share the weighted round robin gives it while those tenants stay backlogged and no limit binds; null when it has no backlog */
            fairShare: number | null;
            heldUntil: string | null;
            rate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            running: number;
            /** @description completedInWindow / the queue's completed jobs in the window (0..1); null when completedInWindow is null or the queue completed none */
            share: number | null;
            tenant: string;
            tokens: number | null;
            weight: number;
        };
        TenantInput: {
            /** @description jobs waiting, due or delayed (from the claim counters) */
            backlog: number;
            /** @description true when every rollup row of the window that summed tenants into "other" listed this tenant: completedInWindow is exact, else a lower bound */
            completedExact: boolean;
            /** @description jobs of this tenant completed in the window, from the per-minute rollups. Each rollup row (queue, minute, worker process) lists its top-N tenants (monitor.topTenants) and sums the rest as "other": this is the sum over the rows that listed the tenant; 0 when no row listed it and no row summed any tenant into "other"; null when the tenant was not among the top-N of any row of the window while some row summed tenants into "other" (unknown, not zero). Rollups are written with each worker heartbeat, so the last seconds may be missing */
            completedInWindow: number | null;
            concurrency: number | null;
            configuredAt: string | null;
            /** @description weight / the sum of the weights of the queue's tenants with a backlog now (all of them, not only this page): the share the weighted round robin gives it while those tenants stay backlogged and no limit binds; null when it has no backlog */
            fairShare: number | null;
            heldUntil: string | null;
            rate: {
                burst: number;
                limit: number;
                periodMs: number;
            } | null;
            running: number;
            /** @description completedInWindow / the queue's completed jobs in the window (0..1); null when completedInWindow is null or the queue completed none */
            share: number | null;
            tenant: string;
            tokens: number | null;
            weight: number;
        };
        TenantPage: {
            items: components["schemas"]["Tenant"][];
            nextCursor: string | null;
        };
        TenantPageInput: {
            items: components["schemas"]["TenantInput"][];
            nextCursor: string | null;
        };
        TenantSettings: {
            concurrency?: number | null;
            rate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
            weight?: number;
        };
        TenantSettingsInput: {
            concurrency?: number | null;
            rate?: {
                burst?: number;
                limit: number;
                periodMs: number;
            } | null;
            weight?: number;
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
        TokenPage: {
            items: components["schemas"]["Token"][];
            nextCursor: string | null;
        };
        TokenPageInput: {
            items: components["schemas"]["TokenInput"][];
            nextCursor: string | null;
        };
        UpdateSchedule: {
            cron?: string;
            enabled?: boolean;
            graceMs?: number;
            jitterMs?: number;
            maxAttempts?: number | null;
            onMissed?: "skip" | {
                catchUp: number;
            };
            payload?: components["schemas"]["JsonValue"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue?: string;
            tenant?: string;
            timeoutMs?: number | null;
            timeZone?: string;
        };
        UpdateScheduleInput: {
            cron?: string;
            enabled?: boolean;
            graceMs?: number;
            jitterMs?: number;
            maxAttempts?: number | null;
            onMissed?: "skip" | {
                catchUp: number;
            };
            payload?: components["schemas"]["JsonValueInput"];
            /** @enum {string} */
            priority?: "urgent" | "high" | "normal" | "low";
            queue?: string;
            tenant?: string;
            timeoutMs?: number | null;
            timeZone?: string;
        };
        Worker: {
            heartbeatAgeMs: number;
            hostname: string;
            id: string;
            pid: number;
            queues: string[];
            startedAt: string;
            /** @description pool (total/idle/waiting), batcher, claims, running and concurrency per queue, throughput, resilience (guard, breakers, the backoff each worked queue uses now: retry) */
            stats: components["schemas"]["JsonValue"];
        };
        WorkerInput: {
            heartbeatAgeMs: number;
            hostname: string;
            id: string;
            pid: number;
            queues: string[];
            startedAt: string;
            /** @description pool (total/idle/waiting), batcher, claims, running and concurrency per queue, throughput, resilience (guard, breakers, the backoff each worked queue uses now: retry) */
            stats: components["schemas"]["JsonValueInput"];
        };
        WorkerPage: {
            items: components["schemas"]["Worker"][];
            nextCursor: string | null;
        };
        WorkerPageInput: {
            items: components["schemas"]["WorkerInput"][];
            nextCursor: string | null;
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
