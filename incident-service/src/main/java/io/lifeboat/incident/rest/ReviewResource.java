package io.lifeboat.incident.rest;

import io.lifeboat.http.ApiException;

import io.lifeboat.incident.report.MonthlyReviewService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The runbook's monthly review. */
@Path("/reviews/monthly")
public class ReviewResource {

    private final MonthlyReviewService reviews;

    public ReviewResource(MonthlyReviewService reviews) {
        this.reviews = reviews;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public MonthlyReviewService.Review monthly(@QueryParam("month") String month) {
        YearMonth ym;
        if (month == null || month.isBlank()) {
            ym = YearMonth.now(ZoneOffset.UTC);
        } else {
            try {
                ym = YearMonth.parse(month.trim());
            } catch (DateTimeParseException e) {
                throw ApiException.badField("month", "must be a month such as 2026-11 (got '" + month + "')");
            }
        }
        return reviews.review(ym);
    }
}
