/* The Gregorian calendar's month lengths, for the date checks of the day
 * routes (params.c), the cursor (cursor.c) and the day range (dao_read.c). */
#ifndef USERS_CALENDAR_H
#define USERS_CALENDAR_H

/* Days in MONTH (1 to 12) of YEAR, 29 for a leap February. */
static inline int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
}

#endif
